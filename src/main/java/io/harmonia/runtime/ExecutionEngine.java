package io.harmonia.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.component.ComponentRegistry;
import io.harmonia.config.StoreConfig;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.CommandRejected;
import io.harmonia.domain.execution.ExecutionCommand;
import io.harmonia.domain.execution.ExecutionDecider;
import io.harmonia.domain.execution.ExecutionEvent;
import io.harmonia.domain.execution.ExecutionEvent.TaskStarted;
import io.harmonia.domain.execution.ExecutionEvolver;
import io.harmonia.domain.execution.ExecutionNotFound;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.domain.execution.WorkflowIndex;
import io.harmonia.eventstore.AppendSignal;
import io.harmonia.eventstore.ConcurrencyConflict;
import io.harmonia.eventstore.OwnershipLost;
import io.harmonia.eventstore.PgEventStore;
import io.harmonia.eventstore.StoreAvailability;
import io.harmonia.eventstore.StoreFailures;
import io.harmonia.eventstore.StoreUnavailable;
import io.harmonia.eventstore.StreamIds;
import io.harmonia.projection.executions.ExecutionLoader;
import io.harmonia.projection.executions.ExecutionReadModel;
import io.harmonia.projection.workflows.WorkflowDefinitions;
import io.harmonia.runtime.cluster.Handover;
import io.harmonia.runtime.cluster.Ownership;
import io.harmonia.runtime.cluster.Partitioning;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The IO loop around the pure decider: load -> decide -> append (events and read model in one transaction) ->
 * then side effects ({@link TaskEffects}: send started tasks to their components, arm timers). Nothing here blocks a
 * thread.
 *
 * <p>Any replica decides any command, but only the replica that owns the execution's partition ({@link Ownership})
 * has side effects: its appends are fenced with its epoch (refused once another replica took the partition over),
 * and it sends the attempts and arms the timers. A replica that does not own the execution appends with optimistic
 * concurrency alone and has no side effects; the owner learns of those events from the feed
 * ({@link ForeignAppends}) or when its own next append conflicts, and then sends what they started.
 *
 * <p>Three kinds of work: a <em>request</em> (start, pause, resume, cancel) fails at once with
 * {@link StoreUnavailable} (503) while Postgres cannot be reached; an <em>external</em> result (a Kafka worker's)
 * waits until it is recorded, on whatever replica it arrives; <em>driving</em> (an attempt's result, a timer, a
 * takeover) waits too, but only its owner may do it: on a replica that lost the partition it is dropped (the new
 * owner does it again).
 */
@ApplicationScoped
public class ExecutionEngine {
    private static final Logger LOG = Logger.getLogger(ExecutionEngine.class);
    /** Decisions about workflows with more tasks than this run off the event loop. */
    public static final int LARGE_WORKFLOW_TASKS = 256;

    enum Mode { REQUEST, EXTERNAL, DRIVE }

    private final TaskEffects effects;
    private final GroupCommit groupCommit;
    private final PgEventStore store;
    private final WorkflowDefinitions workflows;
    private final ExecutionDecider decider;
    private final Clock clock;
    private final Ownership ownership;
    private final LaneQueue queue;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    /** Attempts in flight here, per partition (O(1) for a handover waiting for its partition to be quiet). */
    private final AtomicInteger[] inFlight;
    /** Partitions being handed over: nothing new is sent in them. */
    private final Set<Integer> holding = ConcurrentHashMap.newKeySet();
    /** The partitions this runtime drives, with the fencing epoch it holds for each. */
    private final Map<Integer, Long> epochs = new ConcurrentHashMap<>();
    /**
     * Partitions acquired whose executions are being taken up: until that is done, only the takeover reconciles
     * their executions (a request may load one, but sends nothing the takeover would start again).
     */
    private final Set<Integer> takingUp = ConcurrentHashMap.newKeySet();
    /** Partitions whose fence refused an append here: not driven until acquired again. */
    private final Set<Integer> fenced = ConcurrentHashMap.newKeySet();
    private final StoreAvailability availability;
    private final AppendSignal appended;
    private final TimeOrderedIds ids;
    private final ExecutionLoader loader;
    private final Counter fencedAppends;
    private final Children children;

    public ExecutionEngine(GroupCommit groupCommit, PgEventStore store, WorkflowDefinitions workflows,
            ExecutionDecider decider, ComponentRegistry components, Vertx vertx, Clock clock, MeterRegistry metrics,
            StoreAvailability availability, StoreConfig storeConfig, AppendSignal appended, Ownership ownership,
            TimeOrderedIds ids, ExecutionReadModel readModel, io.harmonia.config.FlowConfig flow,
            io.harmonia.schema.JsonSchemas schemas) {
        this.children = new Children(this, workflows, readModel, new io.harmonia.domain.execution.FlowLimits(
                flow.maxIterations(), flow.maxItems(), flow.maxDepth()), schemas);
        this.availability = availability;
        this.groupCommit = groupCommit;
        this.store = store;
        this.workflows = workflows;
        this.decider = decider;
        this.clock = clock;
        this.appended = appended;
        this.ownership = ownership;
        this.ids = ids;
        this.loader = new ExecutionLoader(store);
        this.inFlight = new AtomicInteger[ownership.partitions()];
        java.util.Arrays.setAll(inFlight, p -> new AtomicInteger());
        this.queue = new LaneQueue(vertx, availability, storeConfig.requestTimeout(), this::lanePassed);
        this.effects = new TaskEffects(components, decider, vertx, clock, metrics, this::drive, children::start);
        this.fencedAppends = Counter.builder("harmonia.ownership.fenced")
                .description("appends refused because this replica no longer owns the execution's partition")
                .register(metrics);
        Gauge.builder("harmonia.executions.hot", lanes, Map::size)
                .description("executions held in memory").register(metrics);
    }

    /** A new execution id, in a partition this replica owns when it owns any (so that it drives what it starts). */
    public String newExecutionId() {
        UUID id = ids.next();
        int partition = ownership.ownedPartitionFor(id.hashCode());
        return (partition < 0 ? id : Partitioning.into(id, partition, ownership.partitions())).toString();
    }

    /**
     * Starts a new execution. {@code inTransaction} runs in the transaction of the first append (used to record an
     * idempotency key).
     */
    public Uni<ExecutionState> start(String executionId, WorkflowDefinition wf, JsonNode input,
            Function<SqlClient, Uni<Void>> inTransaction) {
        return begin(executionId, wf, now -> new ExecutionCommand.Start(executionId, input, now), inTransaction);
    }

    /**
     * Begins a new execution with {@code first}, the command that creates its stream (a Start, or a Restore);
     * {@code inTransaction} as for {@link #start}. Fails with a ConcurrencyConflict when the stream exists.
     */
    public Uni<ExecutionState> begin(String executionId, WorkflowDefinition wf,
            Function<Instant, ExecutionCommand> first, Function<SqlClient, Uni<Void>> inTransaction) {
        if (!availability.available()) {
            return Uni.createFrom().failure(unavailable("start an execution of workflow '" + wf.id() + "'"));
        }
        Lane lane = newLane(executionId);
        lane.state = ExecutionState.initial();
        lane.workflow = wf;
        if (lanes.putIfAbsent(executionId, lane) != null) {
            // held here: it exists (a start with a chosen id, e.g. a schedule's or a trigger's, came again)
            return Uni.createFrom().failure(new ConcurrencyConflict(StreamIds.execution(executionId), 0));
        }
        return submit(lane, first, inTransaction, Mode.REQUEST)
                .map(Decided::state)
                .onFailure().invoke(() -> lanes.remove(executionId, lane));
    }

    /** Runs a request's command; fails at once with {@link StoreUnavailable} while Postgres cannot be reached. */
    public Uni<ExecutionState> command(String executionId, Function<Instant, ExecutionCommand> command) {
        return decide(executionId, command).map(Decided::state);
    }

    /**
     * Runs a request's command and tells what it decided: no events means the command changed nothing (e.g. a
     * late result). Fails with {@link StoreUnavailable} while Postgres cannot be reached.
     */
    public Uni<Decided> decide(String executionId, Function<Instant, ExecutionCommand> command) {
        return decide(executionId, command, null);
    }

    /**
     * {@link #decide(String, Function)} with {@code inTransaction} run in the append's transaction (e.g. to mark a
     * bulk job's item done exactly once); a concurrent change then fails it with ConcurrencyConflict instead of being
     * decided again.
     */
    public Uni<Decided> decide(String executionId, Function<Instant, ExecutionCommand> command,
            Function<SqlClient, Uni<Void>> inTransaction) {
        if (!availability.available()) {
            return Uni.createFrom().failure(unavailable("change execution " + executionId));
        }
        return submit(lane(executionId), command, inTransaction, Mode.REQUEST);
    }

    /**
     * Records a result from outside (a Kafka worker's), on whatever replica it arrives: during a database outage it
     * waits until Postgres is back, however long that takes, and is decided and recorded then.
     */
    public Uni<Decided> record(String executionId, Function<Instant, ExecutionCommand> command) {
        return submit(lane(executionId), command, null, Mode.EXTERNAL);
    }

    /** The state after a command, and the events it appended. */
    public record Decided(ExecutionState state, List<ExecutionEvent> events) {}

    /** How many executions are held in memory. */
    public int hotExecutions() {
        return lanes.size();
    }

    // ---- what the partition runtime asks ----

    /** Driving work of the owner (an attempt's result, a timer): dropped when this replica no longer owns it. */
    Uni<Decided> drive(String executionId, Function<Instant, ExecutionCommand> command) {
        return submit(lane(executionId), command, null, Mode.DRIVE);
    }

    /**
     * Takes an execution up after acquiring its partition: a clean handover sends the attempts the previous owner
     * left unsent (attempts of external workers it did send are left with them); otherwise the attempts that were
     * running are started again (at-least-once). Timers are armed either way.
     */
    Uni<Decided> takeOver(String executionId, boolean clean, Set<String> undispatched) {
        Lane lane = lane(executionId);
        Set<String> waiting = ConcurrentHashMap.newKeySet();
        Consumer<Lane> prepare = clean
                ? l -> TaskEffects.markRunningAsSent(l, t -> effects.external(l, t.taskId())
                        && !undispatched.contains(Lane.attemptKey(t.taskId(), t.run(), t.attempt())))
                : l -> {
                    waiting.addAll(effects.waiting(l));
                    TaskEffects.markRunningAsSent(l, t -> !waiting.contains(t.taskId()));
                };
        return queue.submit(lane, () -> catchUp(lane, prepare).chain(() -> clean
                ? Uni.createFrom().item(new Decided(lane.state, List.of()))
                : decideAndAppend(lane, now -> new ExecutionCommand.Recover(waiting, now), null, true, Mode.DRIVE)),
                Mode.DRIVE).invoke(d -> children.takenUp(executionId, lane.state));
    }

    /** Brings an execution owned here up to date with its stream (another replica appended to it). */
    Uni<Decided> refresh(String executionId) {
        if (takingUp.contains(ownership.partitionOf(executionId))) {
            return Uni.createFrom().item(new Decided(null, List.of())); // the takeover reads it anyway
        }
        Lane lane = lane(executionId);
        return queue.submit(lane, () -> catchUp(lane, null).map(x -> new Decided(lane.state, List.of())),
                Mode.DRIVE);
    }

    /** The partitions this runtime drives now. */
    Set<Integer> drivenPartitions() {
        Set<Integer> out = new HashSet<>(epochs.keySet());
        out.removeAll(fenced);
        out.removeAll(takingUp);
        return out;
    }

    boolean holds(String executionId) {
        return lanes.containsKey(executionId);
    }

    /** The version of the execution held in memory, or -1. */
    long versionHeld(String executionId) {
        Lane lane = lanes.get(executionId);
        ExecutionState s = lane == null ? null : lane.state;
        return s == null ? -1 : s.version();
    }

    boolean owns(int partition) {
        return epochs.containsKey(partition) && !fenced.contains(partition);
    }

    /** From now on this runtime drives {@code partition}, fenced with {@code epoch}. */
    void acquired(int partition, long epoch) {
        fenced.remove(partition);
        holding.remove(partition);
        takingUp.add(partition);
        epochs.put(partition, epoch);
    }

    /** The executions of {@code partition} that needed a driver have been taken up. */
    void takenUp(int partition) {
        takingUp.remove(partition);
    }

    /** Stops sending new attempts in {@code partition}: it is being handed over. */
    void hold(int partition) {
        holding.add(partition);
    }

    /** Attempts of {@code partition} sent here and not yet reported back. */
    int inFlight(int partition) {
        return inFlight[partition].get();
    }

    /** Attempts of {@code partition} recorded as started but not sent (held during a handover). */
    List<Handover.Attempt> unsent(int partition) {
        List<Handover.Attempt> out = new ArrayList<>();
        for (Lane lane : lanes.values()) {
            ExecutionState s = lane.state;
            if (lane.partition != partition || s == null || s.running() == 0) {
                continue;
            }
            s.tasks().values().stream()
                    .filter(t -> t.status() == io.harmonia.domain.execution.TaskStatus.RUNNING
                            && !lane.dispatched.contains(Lane.attemptKey(t.taskId(), t.run(), t.attempt())))
                    .forEach(t -> out.add(new Handover.Attempt(lane.executionId, t.taskId(), t.run(), t.attempt())));
        }
        return out;
    }

    /** Forgets every execution of {@code partition}: another replica drives them now. */
    void drop(int partition) {
        epochs.remove(partition);
        takingUp.remove(partition);
        holding.remove(partition);
        lanes.values().removeIf(lane -> {
            if (lane.partition != partition) {
                return false;
            }
            effects.cancelTimers(lane);
            return true;
        });
    }

    /**
     * Evicts lanes that have had nothing to do for {@code idle}: nothing queued, nothing running or in flight, and no
     * timer before {@code horizon}. Returns how many.
     */
    int evictIdle(Instant idleSince, Instant horizon) {
        int[] evicted = {0};
        lanes.values().removeIf(lane -> {
            synchronized (lane) {
                ExecutionState s = lane.state;
                if (lane.busy || !lane.queue.isEmpty() || s == null || lane.inFlight() > 0
                        || lane.touchedAt > idleSince.toEpochMilli()) {
                    return false;
                }
                Instant wake = effects.wakeOf(lane, s);
                if (wake == null || wake.isBefore(horizon)) {
                    return false;
                }
                effects.cancelTimers(lane);
                evicted[0]++;
                return true;
            }
        });
        return evicted[0];
    }

    // ---- deciding ----

    private Lane lane(String executionId) {
        return lanes.computeIfAbsent(executionId, this::newLane);
    }

    private Lane newLane(String executionId) {
        int partition = ownership.partitionOf(executionId);
        return new Lane(executionId, partition, inFlight[partition]);
    }

    /** After each item of a lane: forget lanes of finished executions and of executions this replica does not own. */
    private void lanePassed(Lane lane) {
        lane.touchedAt = clock.millis();
        ExecutionState s = lane.state;
        if ((s != null && s.status().terminal()) || !owns(lane.partition)) {
            lanes.remove(lane.executionId, lane);
            effects.cancelTimers(lane);
        }
    }

    private Uni<Decided> submit(Lane lane, Function<Instant, ExecutionCommand> command,
            Function<SqlClient, Uni<Void>> inTransaction, Mode mode) {
        return queue.submit(lane, () -> mode == Mode.REQUEST
                ? decideAndAppend(lane, command, inTransaction, true, mode)
                        .onFailure(StoreFailures::unreachable)
                        .transform(err -> unavailable("change execution " + lane.executionId, err))
                : availability.untilRecorded(() -> decideAndAppend(lane, command, null, true, mode)), mode);
    }

    private StoreUnavailable unavailable(String what) {
        return new StoreUnavailable(what, String.valueOf(availability.lastError()), availability.retryAfter());
    }

    private StoreUnavailable unavailable(String what, Throwable cause) {
        availability.failed(cause);
        return new StoreUnavailable(what, StoreFailures.describe(cause), availability.retryAfter());
    }

    private Uni<Decided> decideAndAppend(Lane lane, Function<Instant, ExecutionCommand> commandAt,
            Function<SqlClient, Uni<Void>> inTransaction, boolean retryOnConflict, Mode mode) {
        return ensureLoaded(lane).chain(() -> offLoopIfLarge(lane)).chain(() -> {
            // the epoch is read once: ownership lost while deciding must not send an unfenced append with the
            // owner's side effects (the fence of the epoch read here refuses it instead)
            Long heldEpoch = epochs.get(lane.partition);
            boolean owner = heldEpoch != null && !fenced.contains(lane.partition);
            if (mode == Mode.DRIVE && !owner) {
                LOG.debugf("not driving execution %s: partition %d is not owned here", lane.executionId,
                        lane.partition);
                return Uni.createFrom().item(new Decided(lane.state, List.of()));
            }
            ExecutionCommand command = commandAt.apply(clock.instant());
            List<ExecutionEvent> events = new ArrayList<>(decider.decide(command, lane.state, lane.workflow));
            if (events.isEmpty()) {
                return Uni.createFrom().item(new Decided(lane.state, List.of()));
            }
            ExecutionState before = lane.state;
            Set<TaskStarted> ranInline = new HashSet<>();
            ExecutionState after = effects.runInline(lane, command.now(), events, ranInline);
            String stream = StreamIds.execution(lane.executionId);
            long epoch = owner ? heldEpoch : -1;
            Uni<Void> tx = groupCommit.append(stream, before.version(),
                    PgEventStore.rows(stream, before.version(), events),
                    ExecutionReadModel.row(after, lane.workflow, command.now(), lane.partition,
                            effects.wakeOf(lane, after)), inTransaction,
                    lane.partition, epoch);
            // a failure that is not an outage (e.g. a serialization failure) is tried again a few times; an outage
            // is not: a request fails fast, durable work waits for the store (StoreAvailability.untilRecorded)
            return tx
                    .onFailure(err -> transientFailure(err) && !availability.failed(err))
                    .retry().withBackOff(Duration.ofMillis(50), Duration.ofSeconds(1))
                    .atMost(mode == Mode.REQUEST ? 2 : 8)
                    .map(ignored -> {
                        lane.state = after;
                        effects.count(events);
                        if (owner) {
                            effects.afterAppend(lane, events, ranInline, holding.contains(lane.partition));
                        }
                        children.afterAppend(lane, after, events);
                        appended.appended();
                        return new Decided(after, events);
                    })
                    .onFailure(ConcurrencyConflict.class).recoverWithUni(conflict -> {
                        if (!retryOnConflict || inTransaction != null) {
                            return Uni.createFrom().failure(conflict);
                        }
                        LOG.debugf("conflict on execution %s; catching up and deciding again", lane.executionId);
                        return catchUp(lane, null)
                                .chain(() -> decideAndAppend(lane, commandAt, null, false, mode));
                    })
                    .onFailure(OwnershipLost.class).recoverWithUni(lost -> {
                        fencedAppends.increment();
                        if (fenced.add(lane.partition)) {
                            LOG.warnf("partition %d is no longer owned here (%s); its executions are left to"
                                    + " their new owner", lane.partition, lost.getMessage());
                        }
                        if (mode == Mode.DRIVE) {
                            return Uni.createFrom().item(new Decided(lane.state, List.of()));
                        }
                        // a request or an external result is not lost: it is decided again as a non-owner
                        return catchUp(lane, null)
                                .chain(() -> decideAndAppend(lane, commandAt, inTransaction, retryOnConflict, mode));
                    });
        });
    }

    /**
     * A decision about a workflow of more than {@link #LARGE_WORKFLOW_TASKS} tasks (its events, the inline tasks it
     * runs, its view of every task) runs on a worker thread, not on the event loop.
     */
    private static Uni<Void> offLoopIfLarge(Lane lane) {
        Uni<Void> now = Uni.createFrom().voidItem();
        return large(lane.workflow) ? now.emitOn(Infrastructure.getDefaultWorkerPool()) : now;
    }

    /**
     * Whether decisions about (and views of) executions of {@code wf} run off the event loop: it has more than
     * {@link #LARGE_WORKFLOW_TASKS} tasks, or a for_each (whose fan-out may hold up to
     * {@code harmonia.flow.max-items} items: expanding it, ending it and cancelling its items are O(items)).
     */
    public static boolean large(WorkflowDefinition wf) {
        return wf.tasks().size() > LARGE_WORKFLOW_TASKS || WorkflowIndex.of(wf).fansOut(); // index: cached per definition
    }

    private static boolean transientFailure(Throwable t) {
        return !(t instanceof ConcurrencyConflict) && !(t instanceof CommandRejected)
                && !(t instanceof OwnershipLost)
                && !(t instanceof io.vertx.pgclient.PgException pg && pg.getSqlState() != null
                        && pg.getSqlState().startsWith("23"));
    }

    /** Loads the lane when it is not in memory; as its owner, sends what is unsent and arms its timers. */
    private Uni<Void> ensureLoaded(Lane lane) {
        return lane.state != null ? Uni.createFrom().voidItem() : catchUp(lane, null);
    }

    /**
     * Reads the events of the lane's stream it has not seen (all of them when it is not loaded) and, as the owner,
     * acts on them: a lane loaded from scratch is reconciled with its state ({@code prepare} first marks what must
     * not be sent), events another replica appended have their effects.
     */
    private Uni<Void> catchUp(Lane lane, Consumer<Lane> prepare) {
        boolean fresh = lane.state == null;
        List<ExecutionEvent> seen = new ArrayList<>();
        // a lane not in memory is loaded from its latest checkpoint and the events after it, and reconciled as a
        // whole (its events are not "seen": they had their effects when they were appended); a lane in memory
        // folds the events it has not seen and has their effects
        Uni<ExecutionState> loaded = fresh
                ? loader.load(lane.executionId, ExecutionLoader.LATEST)
                : store.streamFrom(StreamIds.execution(lane.executionId), (int) lane.state.version() + 1)
                        .map(r -> (ExecutionEvent) r.event())
                        .collect().in(() -> new ExecutionState[] {lane.state}, (acc, e) -> {
                            acc[0] = ExecutionEvolver.evolve(acc[0], e);
                            seen.add(e);
                        })
                        .map(acc -> acc[0]);
        return loaded
                .chain(s -> {
                    if (!s.exists()) {
                        lanes.remove(lane.executionId, lane);
                        return Uni.createFrom().failure(new ExecutionNotFound(lane.executionId));
                    }
                    Uni<WorkflowDefinition> wf = lane.workflow != null
                            ? Uni.createFrom().item(lane.workflow)
                            : workflows.definition(s.workflowId(), s.workflowVersion());
                    return wf.invoke(def -> {
                        lane.workflow = def;
                        lane.state = s;
                        if (!owns(lane.partition)) {
                            return;
                        }
                        boolean hold = holding.contains(lane.partition);
                        if (prepare == null && takingUp.contains(lane.partition)) {
                            return; // loaded for a request: the takeover reconciles it
                        }
                        if (fresh || prepare != null) {
                            if (prepare != null) {
                                prepare.accept(lane);
                            }
                            effects.reconcile(lane, hold);
                        } else if (!seen.isEmpty()) {
                            effects.afterAppend(lane, seen, Set.of(), hold);
                        }
                    });
                })
                .replaceWithVoid();
    }
}
