package io.harmonia.runtime.cluster;

import io.harmonia.config.ClusterConfig;
import io.harmonia.eventstore.PartitionLeases;
import io.harmonia.eventstore.PartitionLeases.Claimed;
import io.harmonia.eventstore.StoreAvailability;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Context;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
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

    /** Used when no runtime registered a listener: partitions are owned, nothing drives them. */
    private static final PartitionListener UNWIRED = new PartitionListener() {
        @Override
        public Uni<Void> acquired(int partition, long epoch, Handover handover) {
            return Uni.createFrom().voidItem();
        }

        @Override
        public void lost(int partition) {}

        @Override
        public Uni<Handover> release(int partition) {
            return Uni.createFrom().item(new Handover(true, List.of()));
        }
    };

    private enum Phase { ACQUIRING, OWNED, RELEASING }

    /** A partition whose lease this replica holds. Mutable fields are guarded by the Ownership. */
    private static final class Held {
        final int partition;
        final long epoch;
        Phase phase = Phase.ACQUIRING;
        /** The lease was lost while the listener was still taking the partition up or handing it over. */
        boolean lost;
        /** Hand it over as soon as it is taken up (the drain began meanwhile). */
        boolean releaseWhenAcquired;

        Held(int partition, long epoch) {
            this.partition = partition;
            this.epoch = epoch;
        }
    }

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
    private final AtomicLongArray epochs;
    private final Map<Integer, Held> held = new HashMap<>();
    private final Map<Integer, Long> skipUntil = new ConcurrentHashMap<>();
    private final AtomicInteger roundRobin = new AtomicInteger();
    private final Counter acquiredClean;
    private final Counter acquiredUnclean;
    private final Counter lostCount;
    private final Counter releasedCount;
    private volatile int[] ring = new int[0];
    private volatile Set<Integer> ownedSet = Set.of();
    private volatile int ownedCount;
    private volatile PartitionListener listener;
    private volatile int live = 1;
    private volatile boolean started;
    private volatile boolean draining;
    private volatile boolean stopped;
    private volatile boolean reachedShare;
    private volatile boolean sawOutage;
    private volatile long quietUntilNanos;
    private volatile long timer = -1;
    private Context context;
    private CompletableFuture<Void> drained;

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
        this.epochs = new AtomicLongArray(Math.max(1, partitions));
        for (int p = 0; p < partitions; p++) {
            epochs.set(p, -1);
        }
        Gauge.builder("harmonia.partitions.owned", this, o -> o.ownedCount)
                .description("partitions this replica owns (taken up by the runtime)").register(metrics);
        acquiredClean = Counter.builder("harmonia.partitions.acquired").tag("clean", "true")
                .description("partitions taken over, after a clean handover or not").register(metrics);
        acquiredUnclean = Counter.builder("harmonia.partitions.acquired").tag("clean", "false")
                .description("partitions taken over, after a clean handover or not").register(metrics);
        lostCount = Counter.builder("harmonia.partitions.lost")
                .description("partitions lost: taken by another replica, or their lease could not be renewed")
                .register(metrics);
        releasedCount = Counter.builder("harmonia.partitions.released")
                .description("partitions handed over to another replica (rebalancing or shutdown)").register(metrics);
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

    /** Whether this replica owns {@code p}: taken up by the listener, and not yet handed over or lost. */
    public boolean owns(int p) {
        return ownedSet.contains(p);
    }

    /**
     * The fencing epoch this replica holds {@code p} with, from its claim until it is released or lost (also while
     * the listener takes it up or hands it over, since appends happen then too); -1 otherwise.
     */
    public long epoch(int p) {
        return p >= 0 && p < partitions ? epochs.get(p) : -1;
    }

    /** The partitions this replica owns (see {@link #owns}), as a snapshot. */
    public Set<Integer> owned() {
        return ownedSet;
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
        int[] r = ring;
        if (r.length == 0 || draining) {
            return -1;
        }
        return r[Math.floorMod(hint + roundRobin.getAndIncrement(), r.length)];
    }

    /**
     * Registers the runtime's listener; exactly one, before the service has started (the loop starts on {@link
     * StartupEvent} after the normal observers).
     */
    public void listen(PartitionListener l) {
        synchronized (this) {
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
    }

    /** Every replica and partition as Postgres holds them, for {@code /api/cluster}. */
    public Uni<ClusterView> view() {
        return leases.list().map(l -> ClusterView.of(replicaId, partitions, l));
    }

    /** Replica, share and readiness, for the health check and operators. */
    public Status status() {
        int n = live;
        int owned = ownedCount;
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
     * Checks the partition count, then runs the first round (heartbeat, claim) before the service reports started,
     * and the loop from then on. Blocks the calling (startup) thread.
     */
    void start() {
        leases.ensure(partitions).await().atMost(START_TIMEOUT);
        synchronized (this) {
            if (listener == null) {
                LOG.warnf("no partition listener is registered: replica %s owns partitions but nothing drives their"
                        + " executions here (the runtime is not wired to Ownership)", replicaId);
                listener = UNWIRED;
            }
            started = true;
        }
        context = vertx.getOrCreateContext();
        LOG.infof("replica %s (host %s) shares %d partitions: lease %s, renewed every %s, handover within %s%s",
                replicaId, host, partitions, config.lease(), config.renewInterval(), config.handoverTimeout(),
                config.rebalance() ? ", rebalancing" : "");
        CompletableFuture<Void> first = new CompletableFuture<>();
        context.runOnContext(() -> round(() -> first.complete(null), true));
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
        int before;
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (this) {
            draining = true;
            drained = done;
            before = held.size();
        }
        LOG.infof("replica %s is shutting down: handing over its %d partitions", replicaId, before);
        context.runOnContext(this::beginDrain);
        Duration bound = config.handoverTimeout().plusSeconds(5);
        try {
            done.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warnf("replica %s could not hand over all its partitions within %s (%d left): they are taken over when"
                    + " their lease expires", replicaId, bound, heldCount());
        }
        stopped = true;
        long t = timer;
        if (t >= 0) {
            vertx.cancelTimer(t);
        }
        try {
            leases.forget(replicaId).await().atMost(Duration.ofSeconds(2));
        } catch (Exception e) {
            LOG.debugf("could not delete replica %s's row: %s", replicaId, e.toString());
        }
        LOG.infof("replica %s handed over %d partitions in %d ms", replicaId, before,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    /** Stops the loop without handing anything over, as a killed process would (tests). */
    void halt() {
        stopped = true;
        long t = timer;
        if (t >= 0) {
            vertx.cancelTimer(t);
        }
    }

    private void beginDrain() {
        List<Held> give = new ArrayList<>();
        synchronized (this) {
            for (Held h : held.values()) {
                if (h.lost) {
                    continue;
                }
                if (h.phase == Phase.OWNED) {
                    give.add(h);
                } else if (h.phase == Phase.ACQUIRING) {
                    h.releaseWhenAcquired = true;
                }
            }
        }
        leases.heartbeat(replicaId, host, true, config.lease()).onFailure().recoverWithNull()
                .subscribe().with(ok -> {
                    giveAway(give, "to shut down");
                    checkDrained();
                });
    }

    private synchronized int heldCount() {
        return held.size();
    }

    private void checkDrained() {
        CompletableFuture<Void> d;
        synchronized (this) {
            d = drained;
            if (d == null || !held.isEmpty()) {
                return;
            }
        }
        d.complete(null);
    }

    // ---- the loop ----

    private void schedule() {
        if (stopped) {
            return;
        }
        timer = vertx.setTimer(config.renewInterval().toMillis(), id -> round(() -> { }, false));
    }

    /**
     * One round: heartbeat, renew, then claim or give away; schedules the next. Runs on the Vert.x context. The
     * round does not wait for the listener to take claimed partitions up (that may take long, and leases must be
     * renewed meanwhile), except the first one when {@code awaitTakeUp}, so that a single replica owns its
     * partitions when the service reports started.
     */
    private void round(Runnable then, boolean awaitTakeUp) {
        if (stopped) {
            then.run();
            return;
        }
        if (!availability.available()) {
            sawOutage = true;
            then.run();
            schedule();
            return;
        }
        leases.heartbeat(replicaId, host, draining, config.lease())
                .chain(beat -> {
                    live = beat.liveReplicas();
                    backAfterOutage();
                    Map<Integer, Held> snapshot = renewable();
                    Map<Integer, Long> heldEpochs = new HashMap<>();
                    snapshot.forEach((p, h) -> heldEpochs.put(p, h.epoch));
                    return leases.renew(replicaId, heldEpochs, config.lease()).invoke(r -> renewed(snapshot, r));
                })
                .chain(() -> draining ? Uni.createFrom().voidItem() : balance(awaitTakeUp))
                .subscribe().with(ok -> {
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

    private synchronized Map<Integer, Held> renewable() {
        Map<Integer, Held> out = new HashMap<>();
        held.forEach((p, h) -> {
            if (!h.lost) {
                out.put(p, h);
            }
        });
        return out;
    }

    /** Partitions of {@code asked} that were not renewed are lost: at once when owned, else when the listener is done. */
    private void renewed(Map<Integer, Held> asked, Set<Integer> renewed) {
        List<Integer> lostNow = new ArrayList<>();
        synchronized (this) {
            asked.forEach((p, h) -> {
                if (renewed.contains(p) || held.get(p) != h) {
                    return;
                }
                h.lost = true;
                epochs.set(p, -1);
                if (h.phase == Phase.OWNED) {
                    held.remove(p);
                    lostNow.add(p);
                }
            });
            if (!lostNow.isEmpty()) {
                rebuild();
            }
        }
        if (!lostNow.isEmpty()) {
            lostNow.sort(null);
            LOG.warnf("replica %s lost partitions %s (another replica took them over: this one could not renew its"
                    + " lease in time)", replicaId, PartitionRanges.of(lostNow));
            lostNow.forEach(this::tellLost);
            lostCount.increment(lostNow.size());
        }
    }

    private Uni<Void> balance(boolean awaitTakeUp) {
        int n = live;
        List<Held> owned = new ArrayList<>();
        int holding = 0;
        synchronized (this) {
            for (Held h : held.values()) {
                if (!h.lost && h.phase != Phase.RELEASING) {
                    holding++;
                    if (h.phase == Phase.OWNED) {
                        owned.add(h);
                    }
                }
            }
        }
        int claim = FairShare.toClaim(partitions, n, holding);
        int give = Math.min(owned.size(), FairShare.toGiveAway(partitions, n, holding, config.rebalance()));
        if (claim > 0) {
            boolean takeExpired = System.nanoTime() - quietUntilNanos >= 0;
            return leases.claim(replicaId, claim, config.lease(), takeExpired, skipped())
                    .chain(claimed -> {
                        Uni<Void> takenUp = acquire(claimed);
                        return awaitTakeUp ? takenUp : Uni.createFrom().voidItem();
                    });
        }
        if (give > 0) {
            owned.sort((a, b) -> Integer.compare(b.partition, a.partition));
            giveAway(owned.subList(0, give), "to rebalance (share " + FairShare.share(partitions, n) + " of "
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
        synchronized (this) {
            skip.addAll(held.keySet());
        }
        return skip;
    }

    // ---- taking partitions up ----

    /** Hands claimed partitions to the listener; the Uni completes when it has taken them all up (or failed). */
    private Uni<Void> acquire(List<Claimed> claimed) {
        if (claimed.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (this) {
            for (Claimed c : claimed) {
                held.put(c.partition(), new Held(c.partition(), c.epoch()));
                epochs.set(c.partition(), c.epoch());
            }
        }
        long t0 = System.nanoTime();
        List<Uni<Outcome>> each = claimed.stream().map(this::acquireOne).toList();
        Uni.join().all(each).andFailFast().subscribe().with(outcomes -> {
            List<Integer> taken = new ArrayList<>();
            List<Integer> failed = new ArrayList<>();
            List<Integer> lost = new ArrayList<>();
            int unclean = 0;
            for (int i = 0; i < outcomes.size(); i++) {
                int p = claimed.get(i).partition();
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
                        PartitionRanges.of(taken), unclean,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), ownedCount);
            }
            if (!failed.isEmpty()) {
                LOG.errorf("replica %s could not take up partitions %s and released them", replicaId,
                        PartitionRanges.of(failed));
            }
            if (!lost.isEmpty()) {
                LOG.warnf("replica %s lost partitions %s while taking them up", replicaId, PartitionRanges.of(lost));
            }
            done.complete(null);
        });
        return Uni.createFrom().completionStage(done);
    }

    private Uni<Outcome> acquireOne(Claimed c) {
        Handover handover;
        try {
            handover = HandoverJson.read(c.handoverJson());
        } catch (RuntimeException e) {
            LOG.warnf("partition %d: unreadable handover, taken over as not clean: %s", c.partition(), e.getMessage());
            handover = Handover.UNCLEAN;
        }
        Handover h = handover;
        PartitionListener l = listener;
        return onContext(() -> l.acquired(c.partition(), c.epoch(), h)).replaceWith(true)
                .onFailure().recoverWithItem(err -> {
                    LOG.errorf(err, "partition %d (epoch %d) could not be taken up", c.partition(), c.epoch());
                    return false;
                })
                .chain(ok -> acquired(c, h, ok));
    }

    private Uni<Outcome> acquired(Claimed c, Handover handover, boolean ok) {
        Held h;
        boolean giveNow = false;
        synchronized (this) {
            h = held.get(c.partition());
            if (h == null || h.epoch != c.epoch()) {
                return Uni.createFrom().item(Outcome.LOST);
            }
            if (ok && !h.lost) {
                h.phase = Phase.OWNED;
                giveNow = h.releaseWhenAcquired || draining;
                rebuild();
            }
        }
        if (ok && !h.lost) {
            (handover.clean() ? acquiredClean : acquiredUnclean).increment();
            if (giveNow) {
                giveAway(List.of(h), "to shut down");
            }
            return Uni.createFrom().item(handover.clean() ? Outcome.TAKEN_CLEAN : Outcome.TAKEN_UNCLEAN);
        }
        Uni<Boolean> release = h.lost ? Uni.createFrom().item(false)
                : leases.release(replicaId, h.partition, h.epoch, null).onFailure().recoverWithItem(false);
        if (!ok) {
            skipUntil.put(h.partition, System.nanoTime() + config.renewInterval().toNanos() * 5);
        }
        boolean wasLost = h.lost;
        return release.map(ignored -> {
            tellLost(h.partition);
            forgetHeld(h);
            if (wasLost) {
                lostCount.increment();
            }
            return ok ? Outcome.LOST : Outcome.FAILED;
        });
    }

    // ---- giving partitions away ----

    private void giveAway(List<Held> hs, String why) {
        if (hs.isEmpty()) {
            return;
        }
        synchronized (this) {
            hs.forEach(h -> h.phase = Phase.RELEASING);
            rebuild();
        }
        long t0 = System.nanoTime();
        String ps = PartitionRanges.of(hs.stream().map(h -> h.partition).toList());
        Uni.join().all(hs.stream().map(this::releaseOne).toList()).andFailFast().subscribe().with(outcomes -> {
            long unclean = outcomes.stream().filter(o -> o == Outcome.RELEASED_UNCLEAN).count();
            long lost = outcomes.stream().filter(o -> o == Outcome.LOST).count();
            LOG.infof("replica %s released partitions %s %s in %d ms (%d not clean%s); owns %d", replicaId, ps, why,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), unclean,
                    lost > 0 ? ", " + lost + " lost meanwhile" : "", ownedCount);
            checkDrained();
        });
    }

    private Uni<Outcome> releaseOne(Held h) {
        PartitionListener l = listener;
        Duration timeout = config.handoverTimeout();
        return onContext(() -> l.release(h.partition))
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
                .chain(handover -> {
                    boolean lost;
                    synchronized (this) {
                        lost = h.lost;
                    }
                    if (lost) {
                        return Uni.createFrom().item(Outcome.LOST);
                    }
                    return leases.release(replicaId, h.partition, h.epoch, HandoverJson.write(handover))
                            .onFailure().recoverWithItem(err -> {
                                availability.failed(err);
                                LOG.warnf("partition %d could not be released (%s): it is taken over when its lease"
                                        + " expires", h.partition, err.toString());
                                return false;
                            })
                            .map(released -> !released ? Outcome.LOST
                                    : handover.clean() ? Outcome.RELEASED_CLEAN : Outcome.RELEASED_UNCLEAN);
                })
                .invoke(outcome -> {
                    tellLost(h.partition);
                    forgetHeld(h);
                    (outcome == Outcome.LOST ? lostCount : releasedCount).increment();
                });
    }

    // ---- bookkeeping ----

    private void forgetHeld(Held h) {
        synchronized (this) {
            if (held.get(h.partition) == h) {
                held.remove(h.partition);
                epochs.compareAndSet(h.partition, h.epoch, -1);
                rebuild();
            }
        }
        checkDrained();
    }

    /**
     * Calls the listener on this replica's Vert.x context: every listener call runs there, in the order Ownership
     * makes them, so a partition's calls never overlap and never overtake each other.
     */
    private <T> Uni<T> onContext(java.util.function.Supplier<Uni<T>> call) {
        return Uni.createFrom().emitter(e -> context.runOnContext(() -> {
            Uni<T> u;
            try {
                u = call.get();
            } catch (RuntimeException err) {
                e.fail(err);
                return;
            }
            u.subscribe().with(e::complete, e::fail);
        }));
    }

    private void tellLost(int p) {
        context.runOnContext(() -> {
            try {
                listener.lost(p);
            } catch (RuntimeException e) {
                LOG.errorf(e, "the partition listener failed on losing partition %d", p);
            }
        });
    }

    /** Rebuilds the owned count and the round-robin ring; called with the lock held. */
    private void rebuild() {
        Set<Integer> owned = new TreeSet<>();
        List<Integer> open = new ArrayList<>();
        for (Held h : held.values()) {
            if (h.lost || h.phase == Phase.ACQUIRING) {
                continue;
            }
            owned.add(h.partition);
            if (h.phase == Phase.OWNED) {
                open.add(h.partition);
            }
        }
        open.sort(null);
        ring = open.stream().mapToInt(Integer::intValue).toArray();
        ownedSet = java.util.Collections.unmodifiableSet(owned);
        ownedCount = owned.size();
        status();
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
