package io.harmonia.application;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.domain.execution.CheckpointNotFound;
import io.harmonia.domain.execution.ExecutionCommand;
import io.harmonia.domain.execution.ExecutionEvent;
import io.harmonia.domain.execution.ExecutionEvent.CheckpointCreated;
import io.harmonia.domain.execution.ExecutionEvent.RestoredFrom;
import io.harmonia.domain.execution.ExecutionNotFound;
import io.harmonia.domain.execution.ExecutionSnapshot;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.eventstore.PgEventStore;
import io.harmonia.eventstore.RecordedEvent;
import io.harmonia.eventstore.StreamIds;
import io.harmonia.projection.ListQuery;
import io.harmonia.projection.PageCursor;
import io.harmonia.projection.workflows.WorkflowDefinitions;
import io.harmonia.runtime.ExecutionEngine;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Checkpoints of executions: take one (a CheckpointCreated event appended to the execution's stream), read them,
 * and restore one into a new execution.
 *
 * <p>A restore happens in two steps, in this order: the new execution is begun (its first event, ExecutionStarted,
 * names the checkpoint in {@code restored_from}: the restore is durable from then on), then the link is recorded on
 * the source (ExecutionDerived, its view's {@code derived}). The second step is retried a few times; if it still
 * cannot be recorded, the restore has nonetheless succeeded (the new execution says where it came from) and the
 * missing link is logged (WARN) with both ids.
 */
@ApplicationScoped
public class CheckpointService {
    private static final Logger LOG = Logger.getLogger(CheckpointService.class);
    /** A checkpoint event larger than this (characters of JSON) is decoded off the event loop. */
    private static final int LARGE_SNAPSHOT_CHARS = 64 * 1024;

    private final ExecutionEngine engine;
    private final PgEventStore store;
    private final WorkflowDefinitions workflows;

    public CheckpointService(ExecutionEngine engine, PgEventStore store, WorkflowDefinitions workflows) {
        this.engine = engine;
        this.store = store;
        this.workflows = workflows;
    }

    /** Takes a checkpoint of the execution as it is now, whatever its status. */
    public Uni<JsonNode> create(String executionId) {
        return ExecutionService.validId(executionId)
                .chain(() -> engine.decide(executionId, ExecutionCommand.Checkpoint::new))
                .chain(decided -> {
                    CheckpointCreated cp = decided.events().stream()
                            .filter(CheckpointCreated.class::isInstance).map(CheckpointCreated.class::cast)
                            .reduce((a, b) -> b)
                            .orElseThrow(() -> new IllegalStateException("Expected a CheckpointCreated event for"
                                    + " execution '" + executionId + "', but the decision appended "
                                    + decided.events().size() + " other event(s)"));
                    return render(cp, false);
                });
    }

    /** A checkpoint by its id; with {@code withTasks}, each task's details as well. */
    public Uni<JsonNode> get(String checkpointId, boolean withTasks) {
        return find(checkpointId).chain(cp -> render(cp, withTasks));
    }

    /** The execution's checkpoints, newest first; 404 for an unknown execution. */
    public Uni<ListQuery.Page<JsonNode>> list(String executionId, int limit, int offset, PageCursor after,
            int maxExactTotal) {
        String stream = StreamIds.execution(executionId);
        return ExecutionService.validId(executionId)
                .chain(() -> store.streamLength(stream))
                .chain(length -> length == 0
                        ? Uni.createFrom().failure(new ExecutionNotFound(executionId))
                        : store.checkpoints(stream, limit, offset, after == null ? null : after.id().toString(),
                                maxExactTotal))
                .map(page -> {
                    java.util.List<JsonNode> items = page.items().stream()
                            .map(c -> (JsonNode) CheckpointView.of(c)).toList();
                    PageCursor next = null;
                    if (items.size() == limit && !page.items().isEmpty()) {
                        var last = page.items().get(page.items().size() - 1);
                        next = new PageCursor(last.createdAt(), UUID.fromString(last.checkpointId()));
                    }
                    return new ListQuery.Page<>(items, page.total(), page.totalExact(), next);
                });
    }

    /**
     * Starts a new execution from the checkpoint (see the class doc for the order of the two steps): the tasks
     * COMPLETED at the checkpoint keep their outputs, the state is the checkpoint's, the rest runs. Returns the new
     * execution's summary with {@code restored_from}.
     */
    public Uni<JsonNode> restore(String checkpointId) {
        return find(checkpointId).chain(cp -> {
            ExecutionSnapshot snap = cp.snapshot();
            return workflows.definition(snap.workflowId(), snap.workflowVersion()).chain(wf -> {
                String newId = engine.newExecutionId();
                return engine.begin(newId, wf, now -> new ExecutionCommand.Restore(newId, checkpointId, snap, now),
                                null)
                        .call(started -> link(snap.executionId(), newId, checkpointId))
                        .map(CheckpointService::restored);
            });
        });
    }

    private Uni<Void> link(String sourceId, String newId, String checkpointId) {
        return engine.command(sourceId, now -> new ExecutionCommand.RecordDerived("restore", newId, checkpointId, now))
                .onFailure().retry().withBackOff(Duration.ofMillis(100), Duration.ofSeconds(1)).atMost(4)
                .replaceWithVoid()
                .onFailure().recoverWithItem(err -> {
                    LOG.warnf("execution %s was restored from checkpoint %s of execution %s, but the link could not"
                            + " be recorded on %s (its view will not list the restore under 'derived'): %s", newId,
                            checkpointId, sourceId, sourceId, String.valueOf(err));
                    return null;
                });
    }

    private static JsonNode restored(ExecutionState s) {
        ObjectNode o = JsonNodeFactory.instance.objectNode()
                .put("execution_id", s.executionId()).put("workflow_id", s.workflowId())
                .put("workflow_version", s.workflowVersion()).put("status", s.status().name());
        RestoredFrom from = s.lineage().restoredFrom();
        o.putObject("restored_from").put("execution_id", from.executionId())
                .put("checkpoint_id", from.checkpointId()).put("sequence", from.sequence());
        return o;
    }

    private Uni<CheckpointCreated> find(String checkpointId) {
        try {
            UUID.fromString(checkpointId);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(new CheckpointNotFound(checkpointId));
        }
        return store.checkpoint(checkpointId).chain(found -> {
            RecordedEvent r = found.orElseThrow(() -> new CheckpointNotFound(checkpointId));
            Uni<RecordedEvent> at = Uni.createFrom().item(r);
            // the snapshot of a large execution is megabytes of JSON: decoded off the event loop
            return (r.payload().length() > LARGE_SNAPSHOT_CHARS ? at.emitOn(Infrastructure.getDefaultWorkerPool()) : at)
                    .map(e -> (CheckpointCreated) (ExecutionEvent) e.event());
        });
    }

    private Uni<JsonNode> render(CheckpointCreated cp, boolean withTasks) {
        ExecutionSnapshot snap = cp.snapshot();
        return workflows.definition(snap.workflowId(), snap.workflowVersion()).chain(wf -> {
            Uni<WorkflowDefinition> at = Uni.createFrom().item(wf);
            return (ExecutionEngine.large(wf) ? at.emitOn(Infrastructure.getDefaultWorkerPool()) : at)
                    .map(def -> CheckpointView.of(cp, def, withTasks));
        });
    }
}
