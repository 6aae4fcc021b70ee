package io.harmonia.eventstore;

import io.harmonia.config.StoreConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Whether Postgres can be reached, as the service saw it last. A failure that means "the database cannot be
 * reached" ({@link StoreFailures#unreachable}) marks the store down; from then on one probe ({@code select 1})
 * runs every {@code harmonia.store.probe-interval} until it succeeds. Work that must not be lost (task results,
 * timers, recovery) waits for {@link #whenAvailable} and is recorded then; requests are answered 503 at once
 * instead of queueing ({@link StoreUnavailable}). An outage is logged once when it begins and once when it ends.
 */
@ApplicationScoped
public class StoreAvailability {
    private static final Logger LOG = Logger.getLogger(StoreAvailability.class);

    private final Pool pool;
    private final Vertx vertx;
    private final StoreConfig config;
    private final Clock clock;
    private final AtomicInteger waiting = new AtomicInteger();
    private volatile Instant downSince;
    private volatile String lastError;
    private volatile boolean stopped;
    private CompletableFuture<Void> backUp = CompletableFuture.completedFuture(null);
    private long failuresDuringOutage;

    public StoreAvailability(Pool pool, Vertx vertx, StoreConfig config, Clock clock, MeterRegistry metrics) {
        this.pool = pool;
        this.vertx = vertx;
        this.config = config;
        this.clock = clock;
        Gauge.builder("harmonia.store.available", this, s -> s.available() ? 1 : 0)
                .description("1 while Postgres can be reached, 0 during an outage").register(metrics);
        Gauge.builder("harmonia.store.waiting.commands", waiting, AtomicInteger::get)
                .description("task results, timers and recoveries waiting for Postgres to come back").register(metrics);
    }

    void stop(@Observes ShutdownEvent ignored) {
        stopped = true;
    }

    public boolean available() {
        return downSince == null;
    }

    /** When the current outage began, or null while the store is available. */
    public Instant downSince() {
        return downSince;
    }

    /** The failure that began the current outage (for health details), or null. */
    public String lastError() {
        return lastError;
    }

    /** How many commands wait for the store to come back. */
    public int waitingCommands() {
        return waiting.get();
    }

    /** The Retry-After a request refused during an outage is told. */
    public Duration retryAfter() {
        return config.retryAfter();
    }

    /**
     * Reports the failure of a store operation; returns whether it means the store cannot be reached (and marks it
     * down when it does).
     */
    public boolean failed(Throwable failure) {
        if (!StoreFailures.unreachable(failure)) {
            return false;
        }
        boolean began;
        synchronized (this) {
            began = downSince == null;
            failuresDuringOutage++;
            if (began) {
                downSince = clock.instant();
                lastError = StoreFailures.describe(failure);
                backUp = new CompletableFuture<>();
                failuresDuringOutage = 1;
            }
        }
        if (began) {
            LOG.errorf("Postgres cannot be reached: %s. Requests are answered 503; task results, timers and"
                    + " recoveries wait and are recorded when it is back (probing every %d ms)", lastError,
                    config.probeInterval().toMillis());
            scheduleProbe();
        }
        return true;
    }

    /** Reports a store operation that succeeded. */
    public void succeeded() {
        if (downSince != null) {
            markUp();
        }
    }

    /**
     * Completes when the store is believed available: at once when it is (after a short pause, so that a failure
     * that does not mean an outage is not retried in a tight loop), otherwise when the probe first succeeds.
     */
    public Uni<Void> whenAvailable() {
        CompletableFuture<Void> wait;
        synchronized (this) {
            wait = backUp;
        }
        if (wait.isDone()) {
            return Uni.createFrom().voidItem().onItem().delayIt().by(config.retryPause());
        }
        return Uni.createFrom().completionStage(wait);
    }

    /** Runs {@code work} until it succeeds or fails with something other than an outage, waiting out outages. */
    public <T> Uni<T> untilRecorded(java.util.function.Supplier<Uni<T>> work) {
        return Uni.createFrom().<T>deferred(work::get).onItem().invoke(this::succeeded)
                .onFailure(err -> !stopped && failed(err)).recoverWithUni(err -> {
                    waiting.incrementAndGet();
                    return whenAvailable().eventually(waiting::decrementAndGet).chain(() -> untilRecorded(work));
                });
    }

    private void scheduleProbe() {
        if (stopped) {
            return;
        }
        vertx.setTimer(config.probeInterval().toMillis(), id -> pool.query("select 1").execute().subscribe().with(
                ok -> markUp(),
                err -> {
                    if (!StoreFailures.unreachable(err)) {
                        LOG.debugf("store probe failed: %s", err.toString());
                    }
                    scheduleProbe();
                }));
    }

    private void markUp() {
        CompletableFuture<Void> release;
        Instant since;
        long failures;
        synchronized (this) {
            since = downSince;
            if (since == null) {
                return;
            }
            downSince = null;
            release = backUp;
            failures = failuresDuringOutage;
        }
        LOG.infof("Postgres is reachable again after %d ms (%d failed operations during the outage); %d waiting"
                + " commands are being recorded", Duration.between(since, clock.instant()).toMillis(), failures,
                waiting.get());
        release.complete(null);
    }
}
