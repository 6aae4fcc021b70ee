package io.harmonia.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.harmonia.domain.definition.ErrorTypes;
import io.harmonia.domain.definition.TaskDefinition;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.ChildRules;
import io.harmonia.domain.execution.CommandRejected;
import io.harmonia.domain.execution.ExecutionCommand;
import io.harmonia.domain.execution.ExecutionEvent;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionCanceled;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionCompleted;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionFailed;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionPaused;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionResumed;
import io.harmonia.domain.execution.ExecutionEvent.TaskCanceled;
import io.harmonia.domain.execution.ExecutionEvent.TaskStarted;
import io.harmonia.domain.execution.ExecutionEvent.TaskTimedOut;
import io.harmonia.domain.execution.ExecutionNotFound;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.domain.execution.ExecutionStatus;
import io.harmonia.domain.execution.FlowLimits;
import io.harmonia.domain.execution.ParentLink;
import io.harmonia.domain.execution.TaskState;
import io.harmonia.domain.execution.TaskStatus;
import io.harmonia.domain.execution.WorkflowIndex;
import io.harmonia.eventstore.ConcurrencyConflict;
import io.harmonia.eventstore.StoreUnavailable;
import io.harmonia.projection.executions.ExecutionReadModel;
import io.harmonia.projection.workflows.WorkflowDefinitions;
import io.harmonia.domain.definition.InvalidRequest;
import io.harmonia.domain.workflow.WorkflowNotFound;
import io.harmonia.schema.JsonSchemas;
import io.harmonia.schema.SchemaProblem;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The runtime side of sub-workflows ({@code workflow.run}; the decider's side is {@link ChildRules}).
 *
 * <ul>
 *   <li>An attempt of a workflow.run task is "sent" by starting its child execution, whose id is a function of the
 *       attempt ({@link ChildRules#childId}): sending it again (after a crash or a handover) finds the child already
 *       there, and delivers its result at once when it has ended. The attempt only waits: nothing is in flight.
 *   <li>When a child ends (on whatever replica appended its end) its parent is told with a durable
 *       {@link ExecutionCommand.ChildFinished} ({@link ExecutionEngine#record}). A crash between the two is covered
 *       by the first point: the parent's running attempt is sent again when the parent is taken up.
 *   <li>A parent that ends, or whose workflow.run task is canceled or timed out, cancels the running child; a
 *       parent paused or resumed pauses or resumes it. A child taken up after a crash whose parent has ended (or no
 *       longer waits for it) is canceled.
 * </ul>
 */
final class Children {
    private static final Logger LOG = Logger.getLogger(Children.class);

    private final ExecutionEngine engine;
    private final WorkflowDefinitions workflows;
    private final ExecutionReadModel readModel;
    private final FlowLimits limits;
    private final JsonSchemas schemas;

    Children(ExecutionEngine engine, WorkflowDefinitions workflows, ExecutionReadModel readModel, FlowLimits limits,
            JsonSchemas schemas) {
        this.engine = engine;
        this.schemas = schemas;
        this.workflows = workflows;
        this.readModel = readModel;
        this.limits = limits;
    }

    static boolean runsChild(Lane lane, String taskId) {
        return ChildRules.runsChild(WorkflowIndex.of(lane.workflow).task(taskId, lane.workflow));
    }

    // ---- starting a child ----

    /** Sends attempt {@code started} of a workflow.run task: starts its child, or finds the one it started. */
    void start(Lane lane, TaskStarted started) {
        ExecutionState parent = lane.state;
        String parentId = lane.executionId;
        TaskState t = parent.task(started.taskId());
        String childId = ChildRules.childId(parentId, started.taskId(), started.run(), started.attempt());
        String depth = ChildRules.depthProblem(parent, started.taskId(), limits);
        if (depth != null) {
            fail(parentId, started, ErrorTypes.DEPTH_EXCEEDED, depth);
            return;
        }
        JsonNode in = t.input() == null ? NullNode.getInstance() : t.input();
        JsonNode workflowId = in.get("workflow_id");
        JsonNode version = in.get("version");
        if (workflowId == null || !workflowId.isTextual() || workflowId.asText().isBlank()) {
            fail(parentId, started, ErrorTypes.VALIDATION_ERROR, "expected input.workflow_id of workflow.run task '"
                    + started.taskId() + "' to be a workflow id, found " + (workflowId == null ? "none" : workflowId));
            return;
        }
        if (version != null && !version.isNull() && !(version.canConvertToInt() && version.isIntegralNumber()
                && version.asInt() >= 1)) {
            fail(parentId, started, ErrorTypes.VALIDATION_ERROR, "expected input.version of workflow.run task '"
                    + started.taskId() + "' to be a version number (1 or more), found " + version);
            return;
        }
        Integer v = version == null || version.isNull() ? null : version.asInt();
        JsonNode childInput = in.has("input") ? in.get("input") : com.fasterxml.jackson.databind.node.JsonNodeFactory
                .instance.objectNode();
        ParentLink link = ChildRules.link(parent, started.taskId(), started.run(), limits);
        ParentLink back = new ParentLink(parentId, started.taskId(), started.run(), link.depth());
        // the child may exist already (this attempt is sent again after a crash or a handover): never start two
        readModel.view(childId).chain(existing -> {
            if (existing.isPresent() || engine.holds(childId)) {
                existing.ifPresent(view -> deliverIfEnded(childId, back, view));
                return Uni.createFrom().item(false);
            }
            return workflows.definition(workflowId.asText(), v)
                    .onFailure().invoke(err -> {
                        boolean refused = err instanceof WorkflowNotFound || err instanceof InvalidRequest;
                        fail(parentId, started, refused ? ErrorTypes.VALIDATION_ERROR : ErrorTypes.COMPONENT_ERROR,
                                "workflow.run task '" + started.taskId() + "' could not start its sub-workflow: "
                                        + err.getMessage(), !refused);
                    })
                    .invoke(wf -> checkInput(wf, childInput, parentId, started))
                    .chain(wf -> engine.begin(childId, wf,
                            now -> new ExecutionCommand.Start(childId, childInput, null, link, now), null)
                            .onFailure(StoreUnavailable.class).retry().withBackOff(Duration.ofMillis(200),
                                    Duration.ofSeconds(5)).atMost(30)
                            .replaceWith(true)
                            .onFailure(err -> err instanceof ConcurrencyConflict || err instanceof CommandRejected)
                            .recoverWithItem(false));
        }).subscribe().with(fresh -> {
            if (fresh) {
                LOG.debugf("execution %s task '%s' started sub-workflow execution %s", parentId, started.taskId(),
                        childId);
                if (!stillWaits(lane.state, started)) {
                    cancel(childId, "parent execution '" + parentId + "' no longer waits for it (task '"
                            + started.taskId() + "' is " + lane.state.task(started.taskId()).status() + ")");
                } else if (lane.state.status() == ExecutionStatus.PAUSED) {
                    record(childId, now -> new ExecutionCommand.Pause("parent execution '" + parentId
                            + "' was paused", now), "pause " + childId); // paused while the child was starting
                }
            }
        }, err -> {
            if (!(err instanceof InputRefused)) {
                LOG.errorf("execution %s task '%s': could not start sub-workflow execution %s: %s", parentId,
                        started.taskId(), childId, err.toString());
            }
        });
    }

    /** The child's input must match its workflow's input schema, as for a start by request. */
    private void checkInput(WorkflowDefinition wf, JsonNode input, String parentId, TaskStarted started) {
        if (wf.inputSchema() == null) {
            return;
        }
        List<SchemaProblem> problems = schemas.validate(wf.inputSchema(), input);
        if (!problems.isEmpty()) {
            String message = "expected the input of the sub-workflow of task '" + started.taskId() + "' to match"
                    + " the input schema of workflow '" + wf.id() + "' version " + wf.version() + ", found: "
                    + problems.stream().map(p -> "/input" + p.pointer() + " " + p.message())
                            .collect(java.util.stream.Collectors.joining("; "));
            fail(parentId, started, ErrorTypes.VALIDATION_ERROR, message);
            throw new InputRefused(message);
        }
    }

    /** The child's input was refused (its task already failed): nothing is started. */
    private static final class InputRefused extends RuntimeException {
        InputRefused(String message) {
            super(message, null, false, false);
        }
    }

    private static boolean stillWaits(ExecutionState parent, TaskStarted started) {
        TaskState now = parent.task(started.taskId());
        return !parent.status().terminal() && now.status() == TaskStatus.RUNNING && now.run() == started.run()
                && now.attempt() == started.attempt();
    }

    private void fail(String parentId, TaskStarted started, String type, String message) {
        fail(parentId, started, type, message, false);
    }

    private void fail(String parentId, TaskStarted started, String type, String message, boolean retriable) {
        double random = ThreadLocalRandom.current().nextDouble();
        record(parentId, now -> new ExecutionCommand.FailTask(started.taskId(), started.run(), started.attempt(),
                type, message, retriable, random, now), "fail task '" + started.taskId() + "'");
    }

    /** The child already existed: when it has ended, its parent is told now (it may never have been). */
    private void deliverIfEnded(String childId, ParentLink link, JsonNode view) {
        ExecutionStatus status = ExecutionStatus.valueOf(view.path("status").asText());
        if (!status.terminal()) {
            return;
        }
        JsonNode err = view.path("error");
        tellParent(childId, link, status, view.get("output"), err.isObject() ? err.path("type").asText(null) : null,
                err.isObject() ? err.path("message").asText(null) : null);
    }

    private void tellParent(String childId, ParentLink link, ExecutionStatus status, JsonNode output,
            String errorType, String message) {
        double random = ThreadLocalRandom.current().nextDouble();
        JsonNode out = output == null ? NullNode.getInstance() : output;
        record(link.executionId(), now -> new ExecutionCommand.ChildFinished(link.taskId(), link.run(), childId,
                status, out, errorType, message, random, now), "deliver the end of child " + childId);
    }

    // ---- after an append (on any replica) ----

    /** After events were appended to {@code lane}'s execution (its state is {@code after}). */
    void afterAppend(Lane lane, ExecutionState after, List<ExecutionEvent> events) {
        for (ExecutionEvent e : events) {
            if (e instanceof ExecutionCompleted || e instanceof ExecutionFailed || e instanceof ExecutionCanceled) {
                if (after.parent() != null) {
                    tellParent(lane.executionId, after.parent(), after.status(), after.output(), after.errorType(),
                            after.errorMessage());
                }
                forRunningChildren(lane, after, childId -> cancel(childId, "parent execution '" + lane.executionId
                        + "' ended " + after.status()));
            } else if (e instanceof TaskCanceled c && runsChild(lane, c.taskId())) {
                cancel(ChildRules.childId(lane.executionId, c.taskId(), c.run(), c.attempt()), "task '"
                        + c.taskId() + "' of parent execution '" + lane.executionId + "' was canceled: "
                        + c.message());
            } else if (e instanceof TaskTimedOut c && runsChild(lane, c.taskId())) {
                cancel(ChildRules.childId(lane.executionId, c.taskId(), c.run(), c.attempt()), "task '"
                        + c.taskId() + "' of parent execution '" + lane.executionId + "' timed out");
            } else if (e instanceof ExecutionPaused) {
                forRunningChildren(lane, after, childId -> record(childId, now -> new ExecutionCommand.Pause(
                        "parent execution '" + lane.executionId + "' was paused", now), "pause " + childId));
            } else if (e instanceof ExecutionResumed) {
                forRunningChildren(lane, after, childId -> record(childId, ExecutionCommand.Resume::new,
                        "resume " + childId));
            }
        }
    }

    private static void forRunningChildren(Lane lane, ExecutionState s, java.util.function.Consumer<String> act) {
        if (s.running() == 0) {
            return;
        }
        for (TaskState t : s.tasks().values()) {
            if (t.status() == TaskStatus.RUNNING && runsChild(lane, t.taskId())) {
                act.accept(ChildRules.childId(lane.executionId, t.taskId(), t.run(), t.attempt()));
            }
        }
    }

    // ---- taking up a child ----

    /** A child taken up by a new driver: canceled when its parent ended or no longer waits for it. */
    void takenUp(String childId, ExecutionState s) {
        if (s == null || s.parent() == null || s.status().terminal()) {
            return;
        }
        ParentLink p = s.parent();
        readModel.view(p.executionId()).subscribe().with(view -> {
            if (view.isEmpty()) {
                return;
            }
            JsonNode v = view.get();
            ExecutionStatus status = ExecutionStatus.valueOf(v.path("status").asText());
            JsonNode task = v.path("task_executions").path(p.taskId());
            if (status.terminal()) {
                cancel(childId, "parent execution '" + p.executionId() + "' ended " + status);
            } else if (task.isObject() && task.has("child_execution_id")
                    && !childId.equals(task.path("child_execution_id").asText())) {
                cancel(childId, "parent execution '" + p.executionId() + "' task '" + p.taskId()
                        + "' no longer waits for it (it waits for " + task.path("child_execution_id").asText() + ")");
            }
        }, e -> LOG.errorf("could not read the parent %s of execution %s: %s", p.executionId(), childId,
                e.toString()));
    }

    private void cancel(String childId, String reason) {
        record(childId, now -> new ExecutionCommand.Cancel(reason, now), "cancel " + childId);
    }

    /** Records a command durably; one refused because the execution is gone or over is dropped quietly. */
    private void record(String executionId, Function<Instant, ExecutionCommand> command, String what) {
        engine.record(executionId, command).subscribe().with(d -> { }, err -> {
            if (err instanceof CommandRejected || err instanceof ExecutionNotFound) {
                LOG.debugf("did not %s: %s", what, err.getMessage());
            } else {
                LOG.errorf("could not %s (execution %s): %s", what, executionId, err.toString());
            }
        });
    }
}
