package io.harmonia.runtime.cluster;

import io.harmonia.config.ClusterConfig;
import io.harmonia.eventstore.PartitionLeases;
import io.harmonia.eventstore.PartitionLeases.Claimed;
import io.harmonia.eventstore.StoreAvailability;
import io.harmonia.runtime.cluster.HeldPartitions.Held;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Which partitions this replica owns, and the loop that keeps it so (README, "Several replicas"). Every
 * {@code harmonia.cluster.renew-interval}, on Vert.x and without blocking: a heartbeat (which also counts the live
 * replicas), the renewal of the leases held (a partition not renewed was taken by another replica: {@link
 * PartitionListener#lost}), then a claim of partitions up to the fair share (partitions / live replicas, rounded up),
 * or, with {@code rebalance}, a clean handover of the partitions held above it. A claimed partition is handed to the
 * {@link PartitionListener} and counts as owned once it has taken it up.
 *
 * <p>After a Postgres outage, expired leases of other replicas are not claimed for two renew intervals, so that every
 * owner renews its own first. At shutdown ({@link ShutdownEvent}, before the rest of the service stops) the replica
 * is marked draining and hands every partition over at once, bounded by {@code harmonia.cluster.handover-timeout}.
 *
 * <p>The listener is always called on one Vert.x event-loop context of this replica, in the order of the changes.
 */
@ApplicationScoped
public class Ownership {
    private static final Logger LOG = Logger.getLogger(Ownership.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    /** A partition the listener could not take up is not claimed again by this replica for this many rounds. */
    private static final int SKIP_ROUNDS_AFTER_FAILURE = 5;

    private enum Outcome { TAKEN_CLEAN, TAKEN_UNCLEAN, FAILED, RELEASED_CLEAN, RELEASED_UNCLEAN, LOST }

    /** What {@link #status} reports to readiness and operators. */
    public record Status(String replicaId, int partitions, int owned, int share, int readyAt, int liveReplicas,
            boolean draining, boolean ready) {}

    private final PartitionLeases leases;
    private final ClusterConfig config;
    private final StoreAvailability availability;
    private final Vertx vertx;
    private final String replicaId;
    private final String host;
    private final int partitions;
    private final HeldPartitions held;
    private final OwnershipMetrics metrics;
    private final Map<Integer, Long> skipUntil = new ConcurrentHashMap<>();
    private PartitionListener listener;
    private volatile ListenerCalls calls;
    private volatile int live = 1;
    private volatile boolean started;
    private volatile boolean draining;
    private volatile boolean stopped;
    private volatile boolean reachedShare;
    private volatile boolean sawOutage;
    private volatile long quietUntilNanos;
    private volatile long timer = -1;
    private volatile CompletableFuture<Void> drained;

    @Inject
    public Ownership(PartitionLeases leases, ClusterConfig config, StoreAvailability availability, Vertx vertx,
            MeterRegistry metrics) {
        this.leases = leases;
        this.config = config;
        this.availability = availability;
        this.vertx = vertx;
        this.host = hostName();
        this.replicaId = config.replicaId().filter(s -> !s.isBlank())
                .orElseGet(() -> host + "-" + UUID.randomUUID().toString().substring(0, 6));
        this.partitions = config.partitions();
        this.held = new HeldPartitions(partitions);
        this.metrics = new OwnershipMetrics(metrics, held::ownedCount);
    }

    // ---- what the runtime uses ----

    public String replicaId() {
        return replicaId;
    }

    public int partitions() {
        return partitions;
    }

    public int partitionOf(String executionId) {
        return Partitioning.of(executionId, partitions);
    }

    /** Whether this replica owns {@code p}: taken up by the listener, and not yet released or lost. */
    public boolean owns(int p) {
        return held.owns(p);
    }

    /**
     * The fencing epoch this replica holds {@code p} with, from its claim until it is released or lost (also while
     * the listener takes it up or hands it over, since appends happen then too); -1 otherwise.
     */
    public long epoch(int p) {
        return held.epoch(p);
    }

    /** The partitions this replica owns (see {@link #owns}), as a snapshot. */
    public Set<Integer> owned() {
        return held.owned();
    }

    /** Whether this replica is shutting down and handing its partitions over. */
    public boolean draining() {
        return draining;
    }

    /**
     * A partition for a new execution started here: round-robin over the partitions owned and not being handed
     * over, from {@code hint}; -1 when there is none (draining, or nothing owned yet).
     */
    public int ownedPartitionFor(int hint) {
        return draining ? -1 : held.next(hint);
    }

    /**
     * Registers the runtime's listener; exactly one, before the service has started (the loop starts on {@link
     * StartupEvent} after the normal observers).
     */
    public synchronized void listen(PartitionListener l) {
        if (listener != null) {
            throw new IllegalStateException("Expected one partition listener, found " + listener
                    + " registered before " + l);
        }
        if (started) {
            throw new IllegalStateException("Expected the partition listener before the ownership loop starts"
                    + " (at StartupEvent), found it started already");
        }
        listener = l;
    }

    /** Every replica and partition as Postgres holds them, for {@code /api/cluster}. */
    public Uni<ClusterView> view() {
        return leases.list().map(l -> ClusterView.of(replicaId, partitions, l));
    }

    /**
     * Replica, share and readiness: ready once the replica has owned its share (rounded down) once since it
     * started, and not draining.
     */
    public Status status() {
        int n = live;
        int owned = held.ownedCount();
        int readyAt = FairShare.ready(partitions, n);
        if (started && !reachedShare && owned >= readyAt) {
            reachedShare = true;
        }
        return new Status(replicaId, partitions, owned, FairShare.share(partitions, n), readyAt, n, draining,
                reachedShare && !draining);
    }

    // ---- lifecycle ----

    void onStart(@Observes @Priority(Interceptor.Priority.LIBRARY_AFTER + 100) StartupEvent ignored) {
        start();
    }

    /**
     * Checks the partition count, then runs the first round (heartbeat, claim, take-up) before the service reports
     * started, and the loop from then on. Blocks the calling (startup) thread.
     */
    void start() {
        leases.ensure(partitions).await().atMost(START_TIMEOUT);
        synchronized (this) {
            if (listener == null) {
                LOG.warnf("no partition listener is registered: replica %s owns partitions but nothing drives their"
                        + " executions here (the runtime is not wired to Ownership)", replicaId);
                listener = ListenerCalls.UNWIRED;
            }
            calls = new ListenerCalls(listener, vertx.getOrCreateContext());
            started = true;
        }
        LOG.infof("replica %s (host %s) shares %d partitions: lease %s, renewed every %s, handover within %s%s",
                replicaId, host, partitions, config.lease(), config.renewInterval(), config.handoverTimeout(),
                config.rebalance() ? ", rebalancing" : "");
        CompletableFuture<Void> first = new CompletableFuture<>();
        calls.run(() -> round(() -> first.complete(null), true));
        try {
            first.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warnf("the first ownership round took more than %s; it goes on in the background", START_TIMEOUT);
        } catch (Exception e) {
            throw new IllegalStateException("the first ownership round failed", e);
        }
    }

    void onStop(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent ignored) {
        drain();
    }

    /**
     * Hands every partition over and leaves: marks this replica draining (others stop counting it and claim what
     * it releases), asks the listener to release all partitions at once (each bounded by the handover timeout),
     * releases them in Postgres, and deletes the replica's row. Blocks the calling (shutdown) thread until done or
     * until the handover timeout and a few seconds have passed.
     */
    void drain() {
        if (!started || draining || stopped) {
            return;
        }
        long t0 = System.nanoTime();
        CompletableFuture<Void> done = new CompletableFuture<>();
        drained = done;
        draining = true;
        int before = held.size();
        LOG.infof("replica %s is shutting down: handing over its %d partitions", replicaId, before);
        calls.run(this::beginDrain);
        Duration bound = config.handoverTimeout().plusSeconds(5);
        try {
            done.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warnf("replica %s could not hand over all its partitions within %s (%d left): they are taken over when"
                    + " their lease expires", replicaId, bound, held.size());
        }
        halt();
        try {
            leases.forget(replicaId).await().atMost(Duration.ofSeconds(2));
        } catch (Exception e) {
            LOG.debugf("could not delete replica %s's row: %s", replicaId, e.toString());
        }
        LOG.infof("replica %s handed over %d partitions in %d ms", replicaId, before,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    /** Stops the loop without handing anything over (after the drain; in tests, as a killed process would). */
    void halt() {
        stopped = true;
        long t = timer;
        if (t >= 0) {
            vertx.cancelTimer(t);
        }
    }

    private void beginDrain() {
        List<Held> give = held.toDrain();
        leases.heartbeat(replicaId, host, true, config.lease()).onFailure().recoverWithNull()
                .subscribe().with(ok -> {
                    giveAway(give, "to shut down");
                    checkDrained();
                });
    }

    private void checkDrained() {
        CompletableFuture<Void> d = drained;
        if (d != null && held.size() == 0) {
            d.complete(null);
        }
    }

    // ---- the loop ----

    private void schedule() {
        if (!stopped) {
            timer = vertx.setTimer(config.renewInterval().toMillis(), id -> round(() -> { }, false));
        }
    }

    /**
     * One round: heartbeat, renew, then claim or give away; schedules the next. Runs on the Vert.x context. The
     * round does not wait for the listener to take claimed partitions up (that may take long, and leases must be
     * renewed meanwhile), except the first one when {@code awaitTakeUp}, so that a single replica owns its
     * partitions when the service reports started.
     */
    private void round(Runnable then, boolean awaitTakeUp) {
        if (stopped || !availability.available()) {
            sawOutage |= !availability.available();
            then.run();
            schedule();
            return;
        }
        leases.heartbeat(replicaId, host, draining, config.lease())
                .chain(beat -> {
                    live = beat.liveReplicas();
                    backAfterOutage();
                    Map<Integer, Held> asked = held.renewable();
                    Map<Integer, Long> epochs = new HashMap<>();
                    asked.forEach((p, h) -> epochs.put(p, h.epoch));
                    return leases.renew(replicaId, epochs, config.lease()).invoke(r -> renewed(asked, r));
                })
                .chain(() -> draining ? Uni.createFrom().voidItem() : balance(awaitTakeUp))
                .subscribe().with(ok -> {
                    status(); // latches readiness once the share is reached
                    then.run();
                    schedule();
                }, err -> {
                    if (availability.failed(err)) {
                        sawOutage = true;
                    } else {
                        LOG.warnf("ownership round of replica %s failed: %s", replicaId, err.toString());
                    }
                    then.run();
                    schedule();
                });
    }

    private void backAfterOutage() {
        if (sawOutage) {
            sawOutage = false;
            long quiet = config.renewInterval().toNanos() * 2;
            quietUntilNanos = System.nanoTime() + quiet;
            LOG.infof("Postgres is back: replica %s renews its partitions and claims only free ones for %d ms, so"
                    + " that every owner renews its own first", replicaId, TimeUnit.NANOSECONDS.toMillis(quiet));
        }
    }

    /** Partitions of {@code asked} not renewed are lost: at once when owned, else when the listener is done. */
    private void renewed(Map<Integer, Held> asked, Set<Integer> renewed) {
        List<Integer> lostNow = held.notRenewed(asked, renewed);
        if (!lostNow.isEmpty()) {
            LOG.warnf("replica %s lost partitions %s (another replica took them over: this one could not renew its"
                    + " lease in time)", replicaId, PartitionRanges.of(lostNow));
            lostNow.forEach(calls::lost);
            metrics.lost(lostNow.size());
        }
    }

    private Uni<Void> balance(boolean awaitTakeUp) {
        int n = live;
        int holding = held.holding();
        int claim = FairShare.toClaim(partitions, n, holding);
        if (claim > 0) {
            boolean takeExpired = System.nanoTime() - quietUntilNanos >= 0;
            return leases.claim(replicaId, claim, config.lease(), takeExpired, skipped())
                    .chain(claimed -> {
                        Uni<Void> takenUp = takeUp(claimed);
                        return awaitTakeUp ? takenUp : Uni.createFrom().voidItem();
                    });
        }
        List<Held> givable = held.givable();
        int give = Math.min(givable.size(), FairShare.toGiveAway(partitions, n, holding, config.rebalance()));
        if (give > 0) {
            giveAway(givable.subList(0, give), "to rebalance (share " + FairShare.share(partitions, n) + " of "
                    + partitions + " among " + n + " replicas)");
        }
        return Uni.createFrom().voidItem();
    }

    /**
     * What a claim must not take: the partitions this replica holds (the table names it owner of those too), and
     * those the listener recently failed to take up.
     */
    private Set<Integer> skipped() {
        long now = System.nanoTime();
        skipUntil.values().removeIf(until -> now - until >= 0);
        Set<Integer> skip = new TreeSet<>(skipUntil.keySet());
        skip.addAll(held.partitions());
        return skip;
    }

    // ---- taking partitions up ----

    /** Hands claimed partitions to the listener; the Uni completes when it has taken them all up (or failed). */
    private Uni<Void> takeUp(List<Claimed> claimed) {
        if (claimed.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Held> hs = claimed.stream().map(c -> held.claimed(c.partition(), c.epoch())).toList();
        long t0 = System.nanoTime();
        List<Uni<Outcome>> each = new ArrayList<>();
        for (int i = 0; i < hs.size(); i++) {
            each.add(takeUpOne(hs.get(i), claimed.get(i).handoverJson()));
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        Uni.join().all(each).andFailFast().subscribe().with(outcomes -> {
            List<Integer> taken = new ArrayList<>();
            List<Integer> failed = new ArrayList<>();
            List<Integer> lost = new ArrayList<>();
            int unclean = 0;
            for (int i = 0; i < outcomes.size(); i++) {
                int p = hs.get(i).partition;
                switch (outcomes.get(i)) {
                    case TAKEN_CLEAN -> taken.add(p);
                    case TAKEN_UNCLEAN -> {
                        taken.add(p);
                        unclean++;
                    }
                    case FAILED -> failed.add(p);
                    default -> lost.add(p);
                }
            }
            if (!taken.isEmpty()) {
                LOG.infof("replica %s took partitions %s (%d unclean) in %d ms; owns %d", replicaId,
                        PartitionRanges.of(taken), unclean, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0),
                        held.ownedCount());
            }
            if (!failed.isEmpty()) {
                LOG.errorf("replica %s could not take up partitions %s and released them", replicaId,
                        PartitionRanges.of(failed));
            }
            if (!lost.isEmpty()) {
                LOG.warnf("replica %s lost partitions %s while taking them up", replicaId, PartitionRanges.of(lost));
            }
            status();
            done.complete(null);
        });
        return Uni.createFrom().completionStage(done);
    }

    private Uni<Outcome> takeUpOne(Held h, String handoverJson) {
        Handover handover;
        try {
            handover = HandoverJson.read(handoverJson);
        } catch (RuntimeException e) {
            LOG.warnf("partition %d: unreadable handover, taken over as not clean: %s", h.partition, e.getMessage());
            handover = Handover.UNCLEAN;
        }
        Handover given = handover;
        return calls.acquired(h.partition, h.epoch, given).replaceWith(true)
                .onFailure().recoverWithItem(err -> {
                    LOG.errorf(err, "partition %d (epoch %d) could not be taken up", h.partition, h.epoch);
                    return false;
                })
                .chain(ok -> ok ? tookUp(h, given) : couldNotTakeUp(h));
    }

    private Uni<Outcome> tookUp(Held h, Handover handover) {
        HeldPartitions.TakenUp result = held.takenUp(h, draining);
        if (result == HeldPartitions.TakenUp.LOST) {
            calls.lost(h.partition);
            held.forget(h);
            metrics.lost(1);
            checkDrained();
            return Uni.createFrom().item(Outcome.LOST);
        }
        metrics.acquired(handover.clean());
        if (result == HeldPartitions.TakenUp.OWNED_RELEASE_NOW) {
            giveAway(List.of(h), "to shut down");
        }
        return Uni.createFrom().item(handover.clean() ? Outcome.TAKEN_CLEAN : Outcome.TAKEN_UNCLEAN);
    }

    /** Released not clean (unless lost meanwhile), told lost, and skipped by this replica's claims for a while. */
    private Uni<Outcome> couldNotTakeUp(Held h) {
        skipUntil.put(h.partition,
                System.nanoTime() + config.renewInterval().toNanos() * SKIP_ROUNDS_AFTER_FAILURE);
        Uni<Boolean> release = held.lost(h) ? Uni.createFrom().item(false)
                : leases.release(replicaId, h.partition, h.epoch, null).onFailure().recoverWithItem(false);
        return release.map(ignored -> {
            calls.lost(h.partition);
            held.forget(h);
            checkDrained();
            return Outcome.FAILED;
        });
    }

    // ---- giving partitions away ----

    private void giveAway(List<Held> hs, String why) {
        if (hs.isEmpty()) {
            return;
        }
        held.releasing(hs);
        long t0 = System.nanoTime();
        String ps = PartitionRanges.of(hs.stream().map(h -> h.partition).toList());
        Uni.join().all(hs.stream().map(this::handOver).toList()).andFailFast().subscribe().with(outcomes -> {
            long unclean = outcomes.stream().filter(o -> o == Outcome.RELEASED_UNCLEAN).count();
            long lost = outcomes.stream().filter(o -> o == Outcome.LOST).count();
            LOG.infof("replica %s released partitions %s %s in %d ms (%d not clean%s); owns %d", replicaId, ps, why,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), unclean,
                    lost > 0 ? ", " + lost + " lost meanwhile" : "", held.ownedCount());
            checkDrained();
        });
    }

    /** Asks the listener for a handover (bounded), releases the partition with it, then tells the listener lost. */
    private Uni<Outcome> handOver(Held h) {
        Duration timeout = config.handoverTimeout();
        return calls.release(h.partition)
                .ifNoItem().after(timeout).recoverWithItem(() -> {
                    LOG.warnf("partition %d was not handed over within %s: released as not clean", h.partition,
                            timeout);
                    return Handover.UNCLEAN;
                })
                .onFailure().recoverWithItem(err -> {
                    LOG.warnf("partition %d could not be handed over (%s): released as not clean", h.partition,
                            err.toString());
                    return Handover.UNCLEAN;
                })
                .onItem().ifNull().continueWith(Handover.UNCLEAN)
                .chain(handover -> held.lost(h) ? Uni.createFrom().item(Outcome.LOST)
                        : leases.release(replicaId, h.partition, h.epoch, HandoverJson.write(handover))
                                .onFailure().recoverWithItem(err -> {
                                    availability.failed(err);
                                    LOG.warnf("partition %d could not be released (%s): it is taken over when its"
                                            + " lease expires", h.partition, err.toString());
                                    return false;
                                })
                                .map(released -> !released ? Outcome.LOST
                                        : handover.clean() ? Outcome.RELEASED_CLEAN : Outcome.RELEASED_UNCLEAN))
                .invoke(outcome -> {
                    calls.lost(h.partition);
                    held.forget(h);
                    if (outcome == Outcome.LOST) {
                        metrics.lost(1);
                    } else {
                        metrics.released();
                    }
                    checkDrained();
                });
    }

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "replica";
        }
    }
}
