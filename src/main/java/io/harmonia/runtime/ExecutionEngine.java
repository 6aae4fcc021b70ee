package io.harmonia.runtime;

import io.harmonia.component.ComponentRegistry;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.CommandRejected;
import io.harmonia.domain.execution.ExecutionCommand;
import io.harmonia.domain.execution.ExecutionDecider;
import io.harmonia.domain.execution.ExecutionEvent;
import io.harmonia.domain.execution.ExecutionEvent.TaskStarted;
import io.harmonia.domain.execution.ExecutionEvolver;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.eventstore.AppendSignal;
import io.harmonia.eventstore.ConcurrencyConflict;
import io.harmonia.eventstore.PgEventStore;
import io.harmonia.eventstore.StoreAvailability;
import io.harmonia.eventstore.StoreFailures;
import io.harmonia.eventstore.StoreUnavailable;
import io.harmonia.eventstore.StreamIds;
import io.harmonia.projection.executions.ExecutionReadModel;
import io.harmonia.projection.workflows.WorkflowDefinitions;
import io.harmonia.domain.execution.ExecutionNotFound;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The IO loop around the pure decider: load -> decide -> append (events and read model in one transaction) ->
 * then side effects ({@link TaskEffects}: dispatch started tasks to their components, arm timers). Nothing here
 * blocks a thread.
 *
 * <p>Timers (retry delays, task and workflow deadlines) live in the events, so they survive a restart: loading an
 * execution re-arms them from its state.
 *
 * <p>Two kinds of work, two answers to a database outage: a <em>request</em> (start, pause, resume, cancel) fails
 * at once with {@link StoreUnavailable} (503) and changes nothing; work that must not be lost (a task's result, a
 * timer, a recovery) waits until Postgres is back and is recorded then ({@link StoreAvailability#untilRecorded}),
 * so no execution is left behind by an outage of any length.
 */
@ApplicationScoped
public class ExecutionEngine {
    private static final Logger LOG = Logger.getLogger(ExecutionEngine.class);
    /** Decisions about workflows with more tasks than this run off the event loop. */
    static final int LARGE_WORKFLOW_TASKS = 256;

    private final TaskEffects effects;
    private final GroupCommit groupCommit;
    private final PgEventStore store;
    private final WorkflowDefinitions workflows;
    private final ExecutionDecider decider;
    private final Vertx vertx;
    private final Clock clock;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    private final AppendSignal appended;
    private final StoreAvailability availability;
    private final Duration requestTimeout;

    public ExecutionEngine(GroupCommit groupCommit, PgEventStore store, WorkflowDefinitions workflows,
            ExecutionDecider decider, ComponentRegistry components, Vertx vertx, Clock clock, MeterRegistry metrics,
            StoreAvailability availability, io.harmonia.config.StoreConfig storeConfig, AppendSignal appended) {
        this.appended = appended;
        this.availability = availability;
        this.requestTimeout = storeConfig.requestTimeout();
        this.groupCommit = groupCommit;
        this.store = store;
        this.workflows = workflows;
        this.decider = decider;
        this.vertx = vertx;
        this.clock = clock;
        this.effects = new TaskEffects(components, decider, vertx, clock, metrics, this::record);
        Gauge.builder("harmonia.executions.hot", lanes, Map::size)
                .description("executions held in memory (not finished)").register(metrics);
    }

    /**
     * Starts a new execution. {@code inTransaction} runs in the transaction of the first append (used to record an
     * idempotency key).
     */
    public Uni<ExecutionState> start(String executionId, WorkflowDefinition wf, JsonNode input,
            Function<SqlClient, Uni<Void>> inTransaction) {
        if (!availability.available()) {
            return Uni.createFrom().failure(unavailable("start an execution of workflow '" + wf.id() + "'"));
        }
        Lane lane = new Lane(executionId);
        lane.state = ExecutionState.initial();
        lane.workflow = wf;
        lanes.put(executionId, lane);
        return submit(lane, now -> new ExecutionCommand.Start(executionId, input, now), inTransaction, false)
                .map(Decided::state)
                .onFailure().invoke(() -> lanes.remove(executionId, lane));
    }

    /**
     * Runs a request's command against an existing execution. While Postgres cannot be reached it fails at once
     * with {@link StoreUnavailable} and changes nothing.
     */
    public Uni<ExecutionState> command(String executionId, Function<Instant, ExecutionCommand> command) {
        return decide(executionId, command).map(Decided::state);
    }

    /**
     * Runs a request's command and tells what it decided: no events means the command changed nothing (e.g. a
     * late result). Fails with {@link StoreUnavailable} while Postgres cannot be reached.
     */
    public Uni<Decided> decide(String executionId, Function<Instant, ExecutionCommand> command) {
        if (!availability.available()) {
            return Uni.createFrom().failure(unavailable("change execution " + executionId));
        }
        return submit(lanes.computeIfAbsent(executionId, Lane::new), command, null, false);
    }

    /**
     * Records a command that must not be lost (a task's result, a timer, a recovery): during a database outage it
     * waits until Postgres is back, however long that takes, and is decided and recorded then.
     */
    public Uni<Decided> record(String executionId, Function<Instant, ExecutionCommand> command) {
        return submit(lanes.computeIfAbsent(executionId, Lane::new), command, null, true);
    }

    /**
     * Whether this process drives the execution now: it holds its state in memory (loaded or started here), so
     * its running tasks report here and its timers are armed here.
     */
    public boolean drives(String executionId) {
        Lane lane = lanes.get(executionId);
        return lane != null && (lane.state != null || lane.busy);
    }

    /** The state after a command, and the events it appended. */
    public record Decided(ExecutionState state, List<ExecutionEvent> events) {}

    /** Resumes an execution after a restart: lost attempts start again, timers are re-armed. */
    public Uni<ExecutionState> recover(String executionId) {
        return record(executionId, ExecutionCommand.Recover::new).map(Decided::state);
    }

    /** How many executions are held in memory (not finished). */
    public int hotExecutions() {
        return lanes.size();
    }

    // ---- the lane: one decision at a time per execution ----

    private Uni<Decided> submit(Lane lane, Function<Instant, ExecutionCommand> command,
            Function<SqlClient, Uni<Void>> inTransaction, boolean durable) {
        CompletableFuture<Decided> result = new CompletableFuture<>();
        AtomicInteger phase = new AtomicInteger(QUEUED);
        Runnable work = () -> {
            if (!phase.compareAndSet(QUEUED, RUNNING)) {
                next(lane); // the request was answered 503 while it waited
                return;
            }
            Uni<Decided> decided = durable
                    ? availability.untilRecorded(() -> decideAndAppend(lane, command, null, true, true))
                    : decideAndAppend(lane, command, inTransaction, true, false)
                            .onFailure(StoreFailures::unreachable)
                            .transform(err -> unavailable("change execution " + lane.executionId, err));
            decided.subscribe().with(s -> {
                result.complete(s);
                next(lane);
            }, err -> {
                result.completeExceptionally(err);
                next(lane);
            });
        };
        boolean runNow;
        synchronized (lane) {
            lane.queue.add(work);
            runNow = !lane.busy;
            if (runNow) {
                lane.busy = true;
            }
        }
        if (!durable && !runNow) {
            abandonIfStuck(lane, phase, result);
        }
        if (runNow) {
            next(lane);
        }
        return Uni.createFrom().completionStage(result);
    }

    private static final int QUEUED = 0;
    private static final int RUNNING = 1;
    private static final int ABANDONED = 2;

    /**
     * A request queued behind work that waits for the database (a task result during an outage) is answered 503
     * after {@code harmonia.store.request-timeout} instead of hanging, and is then not carried out.
     */
    private void abandonIfStuck(Lane lane, AtomicInteger phase, CompletableFuture<Decided> result) {
        vertx.setTimer(requestTimeout.toMillis(), id -> {
            if (phase.get() != QUEUED) {
                return;
            }
            if (availability.available()) {
                abandonIfStuck(lane, phase, result); // busy, not stuck: keep waiting
            } else if (phase.compareAndSet(QUEUED, ABANDONED)) {
                result.completeExceptionally(unavailable("change execution " + lane.executionId));
            }
        });
    }

    private StoreUnavailable unavailable(String what) {
        return new StoreUnavailable(what, String.valueOf(availability.lastError()), availability.retryAfter());
    }

    private StoreUnavailable unavailable(String what, Throwable cause) {
        availability.failed(cause);
        return new StoreUnavailable(what, StoreFailures.describe(cause), availability.retryAfter());
    }

    private void next(Lane lane) {
        Runnable work;
        synchronized (lane) {
            work = lane.queue.poll();
            if (work == null) {
                lane.busy = false;
                if (lane.state != null && lane.state.status().terminal()) {
                    lanes.remove(lane.executionId, lane);
                }
                return;
            }
        }
        work.run();
    }

    private Uni<Decided> decideAndAppend(Lane lane, Function<Instant, ExecutionCommand> commandAt,
            Function<SqlClient, Uni<Void>> inTransaction, boolean retryOnConflict, boolean durable) {
        return ensureLoaded(lane).chain(() -> offLoopIfLarge(lane)).chain(() -> {
            ExecutionCommand command = commandAt.apply(clock.instant());
            List<ExecutionEvent> events = new ArrayList<>(decider.decide(command, lane.state, lane.workflow));
            if (events.isEmpty()) {
                return Uni.createFrom().item(new Decided(lane.state, List.of()));
            }
            ExecutionState before = lane.state;
            Set<TaskStarted> ranInline = new HashSet<>();
            ExecutionState after = effects.runInline(lane, command.now(), events, ranInline);
            String stream = StreamIds.execution(lane.executionId);
            Uni<Void> tx = groupCommit.append(stream, before.version(),
                    PgEventStore.rows(stream, before.version(), events),
                    ExecutionReadModel.row(after, lane.workflow, command.now()), inTransaction);
            // a failure that is not an outage (e.g. a serialization failure) is tried again a few times; an outage
            // is not: a request fails fast, durable work waits for the store (StoreAvailability.untilRecorded)
            return tx
                    .onFailure(err -> transientFailure(err) && !availability.failed(err))
                    .retry().withBackOff(Duration.ofMillis(50), Duration.ofSeconds(1)).atMost(durable ? 8 : 2)
                    .map(ignored -> {
                        lane.state = after;
                        effects.afterAppend(lane, events, ranInline);
                        appended.appended();
                        return new Decided(after, events);
                    })
                    .onFailure(ConcurrencyConflict.class).recoverWithUni(conflict -> {
                        if (!retryOnConflict || inTransaction != null) {
                            return Uni.createFrom().failure(conflict);
                        }
                        LOG.debugf("conflict on execution %s; reloading and deciding again", lane.executionId);
                        lane.state = null;
                        return decideAndAppend(lane, commandAt, null, false, durable);
                    });
        });
    }

    /**
     * A decision about a workflow of more than {@link #LARGE_WORKFLOW_TASKS} tasks (its events, the inline tasks it
     * runs, its view of every task) runs on a worker thread, not on the event loop.
     */
    private static Uni<Void> offLoopIfLarge(Lane lane) {
        Uni<Void> now = Uni.createFrom().voidItem();
        return lane.workflow.tasks().size() > LARGE_WORKFLOW_TASKS
                ? now.emitOn(io.smallrye.mutiny.infrastructure.Infrastructure.getDefaultWorkerPool()) : now;
    }

    private static boolean transientFailure(Throwable t) {
        return !(t instanceof ConcurrencyConflict) && !(t instanceof CommandRejected)
                && !(t instanceof io.vertx.pgclient.PgException pg && pg.getSqlState() != null
                        && pg.getSqlState().startsWith("23"));
    }

    private Uni<Void> ensureLoaded(Lane lane) {
        if (lane.state != null) {
            return Uni.createFrom().voidItem();
        }
        return store.streamAll(StreamIds.execution(lane.executionId))
                .map(r -> (ExecutionEvent) r.event())
                .collect().in(() -> new ExecutionState[] {ExecutionState.initial()},
                        (acc, e) -> acc[0] = ExecutionEvolver.evolve(acc[0], e))
                .chain(acc -> {
                    ExecutionState s = acc[0];
                    if (!s.exists()) {
                        lanes.remove(lane.executionId, lane);
                        return Uni.createFrom().failure(new ExecutionNotFound(lane.executionId));
                    }
                    return workflows.definition(s.workflowId(), s.workflowVersion()).invoke(wf -> {
                        lane.workflow = wf;
                        lane.state = s;
                        effects.rearmTimers(lane);
                    });
                })
                .replaceWithVoid();
    }
}
