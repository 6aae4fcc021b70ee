package io.harmonia.application;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.ExecutionCommand;
import io.harmonia.domain.execution.ExecutionEvent;
import io.harmonia.domain.execution.ExecutionNotFound;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.projection.executions.ExecutionLoader;
import io.harmonia.runtime.ExecutionEngine;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Replay (a new execution of the same workflow with the same input, linked by {@code replay_of}) and re-run (a
 * finished execution runs again in place, from a task or from what failed).
 */
@ApplicationScoped
public class ReplayService {
    private static final Logger LOG = Logger.getLogger(ReplayService.class);

    /** Which workflow version a replay runs: the source's ({@code SAME}), the latest, or a number. */
    public record Version(Integer number, boolean latest) {
        public static final Version SAME = new Version(null, false);
        public static final Version LATEST = new Version(null, true);
    }

    /** What a re-run did: the execution after it, the tasks it reopened, and the task it was asked to start from. */
    public record Rerun(ExecutionState state, List<String> tasks, String fromTask) {}

    private final ExecutionEngine engine;
    private final ExecutionService executions;
    private final WorkflowService workflows;
    private final ExecutionLoader loader;
    private final io.harmonia.eventstore.PgEventStore store;

    public ReplayService(ExecutionEngine engine, ExecutionService executions, WorkflowService workflows,
            ExecutionLoader loader, io.harmonia.eventstore.PgEventStore store) {
        this.store = store;
        this.engine = engine;
        this.executions = executions;
        this.workflows = workflows;
        this.loader = loader;
    }

    /**
     * Replays {@code sourceId} as a new execution: the workflow {@code version} and {@code input} (null: the
     * source's), validated like a start; then records the replay on the source (best effort: the replay stands
     * without it).
     */
    public Uni<ExecutionState> replay(String sourceId, Version version, JsonNode input) {
        return source(sourceId).chain(source -> definition(source, version).chain(wf -> {
            JsonNode in = input != null ? input : source.input();
            executions.checkInput(wf, in);
            return replayAs(engine.newExecutionId(), source, wf, in, null);
        }));
    }

    /**
     * Starts {@code newId} as a replay of {@code source}, {@code inTransaction} run in its first append's transaction,
     * then records it on the source. Fails with a ConcurrencyConflict when {@code newId} exists already.
     */
    public Uni<ExecutionState> replayAs(String newId, ExecutionState source, WorkflowDefinition wf, JsonNode input,
            Function<SqlClient, Uni<Void>> inTransaction) {
        return engine.begin(newId, wf, now -> new ExecutionCommand.Start(newId, input, source.executionId(), now),
                        inTransaction)
                .call(started -> recordDerived(source.executionId(), newId))
                .call(started -> source.signals().received() == 0 ? Uni.createFrom().voidItem()
                        : redeliverSignals(source.executionId(), newId));
    }

    /**
     * Delivers the source's signals to its replay again, in the order they came, with their ids and payloads (source
     * {@code replay}): the replay's waits take them as the source's did, instead of waiting for signals nobody sends
     * again. One that the replay refuses (it finished already) is left; a failure is logged, the replay stands.
     */
    private Uni<Void> redeliverSignals(String sourceId, String replayId) {
        return store.streamFrom(io.harmonia.eventstore.StreamIds.execution(sourceId), 1)
                .filter(r -> "SignalReceived".equals(r.type()))
                .map(r -> (ExecutionEvent.SignalReceived) r.event())
                .onItem().transformToUniAndConcatenate(s -> engine.decide(replayId,
                                now -> new ExecutionCommand.Signal(s.name(), s.signalId(), s.payload(), "replay", now))
                        .replaceWithVoid()
                        .onFailure(io.harmonia.domain.execution.CommandRejected.class).recoverWithNull())
                .collect().last()
                .replaceWithVoid()
                .onFailure().recoverWithItem(err -> {
                    LOG.warnf("replay %s of execution %s stands, but the source's signals could not all be delivered"
                            + " to it again: %s", replayId, sourceId, err.toString());
                    return null;
                });
    }

    /** The source's own workflow version, or the one asked for. */
    public Uni<WorkflowDefinition> definition(ExecutionState source, Version version) {
        Integer number = version.latest() ? null
                : version.number() != null ? version.number() : source.workflowVersion();
        return workflows.definition(source.workflowId(), number);
    }

    /** An execution's latest state; 404 when there is none. */
    public Uni<ExecutionState> source(String executionId) {
        return ExecutionService.validId(executionId)
                .chain(() -> loader.load(executionId, ExecutionLoader.LATEST))
                .invoke(s -> {
                    if (!s.exists()) {
                        throw new ExecutionNotFound(executionId);
                    }
                });
    }

    /**
     * Re-runs a finished execution in place: from {@code fromTask} and everything downstream of it, or (null) what
     * failed or was canceled and what it skipped. 409 unless finished, 422 for an unknown task.
     */
    public Uni<Rerun> rerun(String executionId, String fromTask) {
        return ExecutionService.validId(executionId).chain(() -> rerun(executionId, fromTask, null));
    }

    /** {@link #rerun(String, String)} with {@code inTransaction} run in the re-run's append transaction. */
    public Uni<Rerun> rerun(String executionId, String fromTask, Function<SqlClient, Uni<Void>> inTransaction) {
        return engine.decide(executionId, now -> new ExecutionCommand.Rerun(fromTask, now), inTransaction)
                .map(decided -> {
                    List<String> tasks = decided.events().stream()
                            .filter(e -> e instanceof ExecutionEvent.ExecutionRerun)
                            .map(e -> ((ExecutionEvent.ExecutionRerun) e).tasks())
                            .findFirst().orElse(List.of());
                    return new Rerun(decided.state(), tasks, fromTask);
                });
    }

    /** Records on the source that {@code replayId} replays it; tried a few times, then logged and left. */
    private Uni<Void> recordDerived(String sourceId, String replayId) {
        return engine.decide(sourceId, now -> new ExecutionCommand.RecordDerived("replay", replayId, null, now))
                .onFailure().retry().withBackOff(Duration.ofMillis(50), Duration.ofMillis(500)).atMost(3)
                .onFailure().recoverWithItem(err -> {
                    LOG.warnf("replay %s of execution %s stands, but could not be recorded on the source: %s",
                            replayId, sourceId, err.toString());
                    return null;
                })
                .replaceWithVoid();
    }
}
