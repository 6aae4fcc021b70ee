package io.harmonia.projection.executions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.domain.definition.TaskDefinition;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.Signals;
import io.harmonia.domain.execution.ChildRules;
import io.harmonia.domain.execution.ExecutionEvent.RestoredFrom;
import io.harmonia.domain.execution.ParentLink;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.domain.execution.FanOuts;
import io.harmonia.domain.execution.Lineage;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.harmonia.domain.execution.TaskState;
import io.harmonia.domain.execution.TaskStatus;
import java.time.Instant;

/** "What does this execution look like now?": the JSON that GET /api/executions/{id} returns. Pure. */
public final class ExecutionView {

    private ExecutionView() {}

    public static ObjectNode of(ExecutionState s, WorkflowDefinition wf) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode o = f.objectNode();
        o.put("execution_id", s.executionId());
        o.put("workflow_id", s.workflowId());
        o.put("workflow_version", s.workflowVersion());
        o.put("status", s.status().name());
        o.set("input", orNull(s.input()));
        o.set("output", orNull(s.output()));
        if (s.errorType() != null && s.status() != io.harmonia.domain.execution.ExecutionStatus.COMPLETED) {
            ObjectNode err = o.putObject("error");
            err.put("type", s.errorType()).put("message", s.errorMessage());
            if (s.failedTaskId() != null) {
                err.put("task_id", s.failedTaskId());
            }
        } else {
            o.putNull("error");
        }
        time(o, "start_time", s.startedAt());
        time(o, "end_time", s.endedAt());
        time(o, "deadline", s.deadline());
        o.put("version", s.version());
        o.set("state", s.stateData().global());
        o.put("state_version", s.stateData().version());
        lineage(o, s);
        o.put("language", wf.language().external());
        boolean notReached = wf.stateMachine() && s.status().terminal();
        parent(o, s);
        ObjectNode tasks = o.putObject("task_executions");
        for (TaskDefinition def : wf.tasks()) {
            TaskState t = s.task(def.id());
            ObjectNode to = tasks.putObject(def.id());
            to.put("task_id", def.id());
            if (notReached && t.status() == TaskStatus.PENDING) {
                StepPath.notReached(to, def.id());
                continue;
            }
            to.put("status", t.status().external());
            to.put("run", t.run());
            to.put("attempts", t.attempt());
            to.put("retries", Math.max(0, t.attempt() - 1));
            to.set("input", orNull(t.input()));
            to.set("output", orNull(t.output()));
            if (t.errorType() != null && t.status() != TaskStatus.COMPLETED) {
                ObjectNode err = to.putObject("error");
                err.put("type", t.errorType());
                if (t.errorMessage() != null) {
                    err.put("message", t.errorMessage());
                }
            } else {
                to.putNull("error");
            }
            if (ChildRules.runsChild(def)) {
                String child = ChildRules.currentChild(s.executionId(), t);
                if (child == null) {
                    to.putNull("child_execution_id");
                } else {
                    to.put("child_execution_id", child);
                }
            }
            time(to, "start_time", t.firstStartedAt());
            time(to, "end_time", t.endedAt());
            if (t.status() == TaskStatus.RETRYING) {
                time(to, "retry_at", t.retryAt());
            }
            if (def.fansOut()) {
                items(to, s, def.id(), t);
            }
            JsonNode taskState = s.stateData().task(def.id());
            if (taskState != null) {
                to.set("state", taskState);
            }
        }
        if (wf.stateMachine()) {
            StepPath.add(o, s, wf);
        }
        StepPath.handledErrors(o, s);
        signals(o, s);
        return o;
    }

    /**
     * Per signal name received: {@code received} (count), {@code pending} (kept for a wait that has not started),
     * {@code latest} (payload, what {@code signals.<name>} reads) and {@code last_received_at}.
     */
    private static void signals(ObjectNode o, ExecutionState s) {
        ObjectNode out = o.putObject("signals");
        Signals signals = s.signals();
        new java.util.TreeMap<>(signals.tallies()).forEach((name, tally) -> {
            ObjectNode one = out.putObject(name);
            one.put("received", tally.count());
            one.put("pending", signals.pendingCount(name));
            one.set("latest", orNull(signals.latest().get(name)));
            time(one, "last_received_at", tally.lastReceivedAt());
        });
    }

    /**
     * A for_each task's items, counted (listed one by one at {@code GET .../tasks/{taskId}/items}): null before it
     * fanned out.
     */
    private static void items(ObjectNode to, ExecutionState s, String taskId, TaskState t) {
        FanOuts.FanOut f = s.fanOuts().of(taskId);
        if (f == null || f.run() != t.run()) {
            to.putNull("items");
            return;
        }
        to.putObject("items").put("total", f.count()).put("completed", f.completed()).put("failed", f.failed())
                .put("canceled", f.canceled()).put("running", f.active())
                .put("pending", f.count() - f.active() - f.finished()).put("max_parallel", f.maxParallel());
    }

    /** Where the execution came from and what came from it; {@code last_checkpoint} is a sequence or null. */
    private static void lineage(ObjectNode o, ExecutionState s) {
        Lineage l = s.lineage();
        if (l.replayOf() == null) {
            o.putNull("replay_of");
        } else {
            o.put("replay_of", l.replayOf());
        }
        RestoredFrom from = l.restoredFrom();
        if (from == null) {
            o.putNull("restored_from");
        } else {
            o.putObject("restored_from").put("execution_id", from.executionId())
                    .put("checkpoint_id", from.checkpointId()).put("sequence", from.sequence());
        }
        ArrayNode derived = o.putArray("derived");
        for (Lineage.Link link : l.derived()) {
            ObjectNode d = derived.addObject().put("relation", link.relation()).put("execution_id", link.executionId());
            if (link.checkpointId() != null) {
                d.put("checkpoint_id", link.checkpointId());
            }
            d.put("at", link.at().toString());
        }
        o.put("derived_count", l.derivedCount());
        o.put("reruns", l.reruns());
        if (s.lastCheckpoint() == 0) {
            o.putNull("last_checkpoint");
        } else {
            o.put("last_checkpoint", s.lastCheckpoint());
        }
    }

    /** The task of the execution that started this one as a sub-workflow, or null. */
    private static void parent(ObjectNode o, ExecutionState s) {
        ParentLink p = s.parent();
        if (p == null) {
            o.putNull("parent");
        } else {
            o.putObject("parent").put("execution_id", p.executionId()).put("task_id", p.taskId())
                    .put("run", p.run()).put("depth", p.depth());
        }
    }

    private static JsonNode orNull(JsonNode n) {
        return n == null ? JsonNodeFactory.instance.nullNode() : n;
    }

    /** {@code field}: the instant as ISO-8601 text, or null. */
    static void time(ObjectNode o, String field, Instant t) {
        if (t == null) {
            o.putNull(field);
        } else {
            o.put(field, t.toString());
        }
    }
}
