package io.harmonia.application;

import io.harmonia.config.HistoryConfig;
import io.harmonia.domain.execution.CommandRejected;
import io.harmonia.domain.execution.ExecutionNotFound;
import io.harmonia.eventstore.BulkJobs;
import io.harmonia.eventstore.ConcurrencyConflict;
import io.harmonia.eventstore.StoreFailures;
import io.harmonia.eventstore.StoreUnavailable;
import io.harmonia.runtime.cluster.Ownership;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Runs bulk jobs on this replica, one at a time: claims an unfinished job nobody holds (or whose holder's lease
 * passed: a killed replica's), renews the lease while it works, and does the job's PENDING items in order, at most
 * {@code harmonia.history.bulk-rate} per second over the replica (a token bucket), {@code bulk-concurrency} at a time.
 *
 * <p>Exactly once: an item is marked DONE in the transaction of the append that does it (the replay's first append,
 * the re-run's), and a replay's id is derived from the job and the source ({@link ReplayIds}), so an item done again
 * (after a crash, or by a second runner after a lease passed) fails as a conflict and changes nothing. Nothing here
 * blocks a thread: waits are timers.
 */
@ApplicationScoped
public class BulkJobRunner {
    private static final Logger LOG = Logger.getLogger(BulkJobRunner.class);
    static final int PAGE = 20;
    private static final int CONFLICT_RETRIES = 3;
    private static final int MAX_REASON = 300;
    private static final long CHECK_EVERY_MS = 1000;

    private final BulkJobs jobs;
    private final ReplayService replays;
    private final HistoryConfig config;
    private final Ownership ownership;
    private final Vertx vertx;
    private final Clock clock;
    private final TokenBucket bucket;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile boolean stopped;
    /** The job this replica runs now, or null. */
    private volatile String current;

    public BulkJobRunner(BulkJobs jobs, ReplayService replays, HistoryConfig config, Ownership ownership,
            Vertx vertx, Clock clock) {
        this.jobs = jobs;
        this.replays = replays;
        this.config = config;
        this.ownership = ownership;
        this.vertx = vertx;
        this.clock = clock;
        this.bucket = new TokenBucket(config.bulkRate(), config.bulkRate(), System.nanoTime());
    }

    void onStart(@Observes StartupEvent ignored) {
        schedule();
    }

    /**
     * Stops before the next item and gives the job's lease up, so that another replica resumes it at its next poll
     * instead of after the lease (an item still under way here is not done twice: see the class comment).
     */
    void onStop(@Observes ShutdownEvent ignored) {
        stopped = true;
        String job = current;
        if (job != null) {
            try {
                jobs.release(job, ownership.replicaId()).await().atMost(Duration.ofSeconds(2));
            } catch (RuntimeException e) {
                LOG.infof("could not give up the lease on bulk job %s at shutdown (%s); it is resumed once the"
                        + " lease passed", job, e.toString());
            }
        }
    }

    /** Looks for a job now (one was just created), unless this replica is running one. */
    void wake() {
        poll().subscribe().with(x -> { }, err -> LOG.debugf("bulk job poll failed: %s", err.toString()));
    }

    private void schedule() {
        if (stopped || config.bulkPollInterval().isZero()) {
            return;
        }
        vertx.setTimer(config.bulkPollInterval().toMillis(), id -> poll().subscribe().with(x -> schedule(), err -> {
            LOG.debugf("bulk job poll failed, next in %s: %s", config.bulkPollInterval(), err.toString());
            schedule();
        }));
    }

    /** Claims a job and runs it, then looks for the next; nothing when a run is under way here. */
    Uni<Void> poll() {
        if (stopped || !busy.compareAndSet(false, true)) {
            return Uni.createFrom().voidItem();
        }
        return jobs.claim(ownership.replicaId(), config.bulkJobLease())
                .chain(claimed -> claimed.map(this::run).orElse(Uni.createFrom().item(false)))
                .eventually(() -> busy.set(false))
                .invoke(ran -> {
                    if (ran && !stopped) {
                        vertx.runOnContext(this::wake);
                    }
                })
                .replaceWithVoid();
    }

    /** One job's state while this replica runs it. */
    private static final class Run {
        final String id;
        final String mode;
        volatile boolean lost;
        volatile boolean halted;

        Run(BulkJobs.Claimed claimed) {
            this.id = claimed.id();
            this.mode = claimed.mode();
        }
    }

    /**
     * Runs a claimed job until no item is left, the lease is lost, the job canceled or the store unreachable; false
     * after the store was unreachable.
     */
    private Uni<Boolean> run(BulkJobs.Claimed claimed) {
        Run run = new Run(claimed);
        current = run.id;
        LOG.infof("running bulk job %s (%s)", run.id, run.mode);
        // a third of the lease keeps it; at least every second, so that a cancel stops the run within a second
        long every = Math.max(100, Math.min(CHECK_EVERY_MS, config.bulkJobLease().toMillis() / 3));
        long renewal = vertx.setPeriodic(every, t -> jobs.renew(run.id, ownership.replicaId(), config.bulkJobLease())
                .subscribe().with(held -> {
                    if (!held) {
                        run.lost = true;
                    }
                }, err -> LOG.debugf("could not renew the lease on bulk job %s: %s", run.id, err.toString())));
        // look for the next job at once only after a run that ended normally (not after an outage: the poll waits)
        return page(run, 0).eventually(() -> {
            vertx.cancelTimer(renewal);
            current = null;
        }).map(x -> !run.halted);
    }

    private Uni<Void> page(Run run, int after) {
        if (run.lost || run.halted || stopped) {
            return Uni.createFrom().voidItem();
        }
        return jobs.renew(run.id, ownership.replicaId(), config.bulkJobLease()).chain(held -> {
            if (!held) {
                LOG.infof("bulk job %s: stopped here (canceled, or its lease passed to another replica)", run.id);
                run.lost = true;
                return Uni.createFrom().voidItem();
            }
            return jobs.pending(run.id, after, PAGE).chain(items -> items.isEmpty()
                    ? jobs.completeIfDone(run.id, ownership.replicaId()).invoke(done -> {
                        if (done) {
                            LOG.infof("bulk job %s completed", run.id);
                        }
                    }).replaceWithVoid()
                    : items(run, items).chain(() -> page(run, items.get(items.size() - 1).position())));
        });
    }

    private Uni<Void> items(Run run, List<BulkJobs.Item> items) {
        return Multi.createFrom().iterable(items)
                .onItem().transformToUni(item -> throttle().chain(() -> run.lost || run.halted || stopped
                        ? Uni.createFrom().voidItem() : item(run, item)))
                .merge(Math.max(1, config.bulkConcurrency()))
                .collect().last().replaceWithVoid();
    }

    /** Waits for a token of the replica's rate (a timer, not a thread). */
    private Uni<Void> throttle() {
        long wait = bucket.reserve(System.nanoTime());
        Uni<Void> now = Uni.createFrom().voidItem();
        return wait <= 0 ? now : now.onItem().delayIt().by(Duration.ofNanos(wait));
    }

    /** Does one item; whatever happens, it ends DONE, SKIPPED or FAILED, unless the store is unreachable. */
    private Uni<Void> item(Run run, BulkJobs.Item item) {
        Uni<Void> work = BulkReplayService.REPLAY.equals(run.mode) ? replay(run, item) : rerun(run, item, 0);
        return work
                .onFailure(BulkJobs.ItemAlreadyDone.class).recoverWithNull()
                .onFailure(err -> err instanceof StoreUnavailable || StoreFailures.unreachable(err)).recoverWithUni(
                        err -> {
                            LOG.warnf("bulk job %s paused at item %d: the store is unreachable (%s); it resumes"
                                    + " later", run.id, item.position(), err.toString());
                            run.halted = true;
                            return Uni.createFrom().voidItem();
                        })
                .onFailure().recoverWithUni(err -> {
                    if (stopped) {
                        // shutting down (the pool, the ownership, the consumers stop under the item): not the item's
                        // failure; it stays PENDING for the replica that resumes the job
                        LOG.debugf("bulk job %s: item %d left to the next runner, this replica stops: %s", run.id,
                                item.position(), err.toString());
                        return Uni.createFrom().voidItem();
                    }
                    LOG.debugf("bulk job %s: item %d (execution %s) failed: %s", run.id, item.position(),
                            item.executionId(), err.toString());
                    return mark(run, item, "FAILED", null, failure(err));
                });
    }

    private Uni<Void> replay(Run run, BulkJobs.Item item) {
        String replayId = ReplayIds.of(run.id, item.executionId());
        return replays.source(item.executionId())
                .chain(source -> replays.definition(source, ReplayService.Version.SAME)
                        .chain(wf -> replays.replayAs(replayId, source, wf, source.input(),
                                tx -> jobs.markDone(tx, run.id, item.position(), replayId, clock.instant()))))
                .replaceWithVoid()
                // the replay exists: it was made before a crash (its item marked with it), or by another runner
                .onFailure(ConcurrencyConflict.class).recoverWithUni(c -> mark(run, item, "DONE", replayId, null));
    }

    private Uni<Void> rerun(Run run, BulkJobs.Item item, int attempt) {
        return replays.rerun(item.executionId(), null,
                        tx -> jobs.markDone(tx, run.id, item.position(), item.executionId(), clock.instant()))
                .replaceWithVoid()
                .onFailure(CommandRejected.class).recoverWithUni(e -> mark(run, item, "SKIPPED", null,
                        skipReason((CommandRejected) e)))
                .onFailure(ConcurrencyConflict.class).recoverWithUni(e -> attempt < CONFLICT_RETRIES
                        // the execution changed meanwhile (live traffic): look again after a moment
                        ? Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(100L << attempt))
                                .chain(() -> rerun(run, item, attempt + 1))
                        : mark(run, item, "FAILED", null, "the execution kept changing concurrently ("
                                + (CONFLICT_RETRIES + 1) + " attempts)"));
    }

    private static String skipReason(CommandRejected e) {
        return e.status().terminal()
                ? "nothing to re-run: no failed, canceled or skipped task (the execution is " + e.status() + ")"
                : "the execution is " + e.status() + " now: only a finished execution is re-run";
    }

    private static String failure(Throwable err) {
        String text = err instanceof ExecutionNotFound ? "the execution does not exist" : err.toString();
        return text.length() > MAX_REASON ? text.substring(0, MAX_REASON) + "..." : text;
    }

    private Uni<Void> mark(Run run, BulkJobs.Item item, String state, String resultId, String reason) {
        return jobs.mark(run.id, item.position(), state, resultId, reason, clock.instant());
    }
}
