package io.harmonia.runtime;

import io.harmonia.config.RuntimeConfig;
import io.harmonia.eventstore.StoreAvailability;
import io.harmonia.projection.executions.ExecutionReadModel;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Durable timers, seen from one replica: every {@code harmonia.runtime.scan-interval} it takes up the executions of
 * the partitions it owns whose next timer falls due within {@code harmonia.runtime.timer-horizon} (loading one arms
 * its timers), and those with something to do that nothing drives (unchanged for
 * {@code harmonia.runtime.idle-before-take-up} and not in memory, e.g. a start whose answer was lost in an outage).
 * Then it evicts executions that have nothing running and no timer near: a timer an hour away costs its row only.
 */
@ApplicationScoped
public class TimerScan {
    private static final Logger LOG = Logger.getLogger(TimerScan.class);
    static final int PAGE = 1000;

    private final ExecutionEngine engine;
    private final ExecutionReadModel readModel;
    private final RuntimeConfig config;
    private final StoreAvailability availability;
    private final Vertx vertx;
    private final Clock clock;
    private volatile boolean stopped;

    public TimerScan(ExecutionEngine engine, ExecutionReadModel readModel, RuntimeConfig config,
            StoreAvailability availability, Vertx vertx, Clock clock) {
        this.engine = engine;
        this.readModel = readModel;
        this.config = config;
        this.availability = availability;
        this.vertx = vertx;
        this.clock = clock;
    }

    void onStart(@Observes StartupEvent ignored) {
        schedule();
    }

    void onStop(@Observes ShutdownEvent ignored) {
        stopped = true;
    }

    private void schedule() {
        if (stopped || config.scanInterval().isZero()) {
            return;
        }
        vertx.setTimer(config.scanInterval().toMillis(), id -> scan().subscribe().with(n -> schedule(), err -> {
            LOG.debugf("timer scan failed, next in %s: %s", config.scanInterval(), err.toString());
            schedule();
        }));
    }

    /** One scan: takes up what is due or undriven, then evicts what is idle. Returns how many were taken up. */
    Uni<Long> scan() {
        Set<Integer> partitions = engine.drivenPartitions();
        Instant now = clock.instant();
        Instant horizon = now.plus(config.timerHorizon());
        Uni<Long> takenUp = !availability.available() || partitions.isEmpty() ? Uni.createFrom().item(0L)
                : readModel.dueOrIdle(partitions, horizon, now.minus(config.idleBeforeTakeUp()), PAGE)
                        .map(ids -> ids.stream().filter(id -> !engine.holds(id)).toList())
                        .chain(ids -> TakeUps.all(ids, config.takeUpConcurrency(), engine::refresh, ""));
        return takenUp.invoke(() -> {
            int evicted = engine.evictIdle(clock.instant().minus(config.evictIdleAfter()),
                    clock.instant().plus(config.timerHorizon()));
            if (evicted > 0) {
                LOG.debugf("evicted %d idle executions from memory", evicted);
            }
        });
    }
}
