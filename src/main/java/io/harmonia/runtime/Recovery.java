package io.harmonia.runtime;

import io.harmonia.config.EngineConfig;
import io.harmonia.projection.executions.ExecutionReadModel;
import io.harmonia.eventstore.StoreAvailability;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.util.List;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Takes up unfinished executions that no part of this process drives: at start, every unfinished execution (the
 * previous process died), and then, every {@code harmonia.engine.recovery.sweep-interval}, any unfinished
 * execution that has not changed for {@code harmonia.engine.recovery.idle-before-sweep} and is not held here (a
 * start whose answer was lost in a database outage, a recovery that failed). Attempts that were running start
 * again as new attempts (at-least-once), and retry and timeout timers are re-armed from the events.
 *
 * <p>The sweep assumes this process is the only one driving executions (one replica; see README, Known limits).
 */
@ApplicationScoped
public class Recovery {
    private static final Logger LOG = Logger.getLogger(Recovery.class);
    private static final int SWEEP_PAGE = 1000;

    private final ExecutionReadModel readModel;
    private final ExecutionEngine engine;
    private final EngineConfig config;
    private final StoreAvailability availability;
    private final Vertx vertx;
    private final Clock clock;
    private volatile boolean stopped;

    public Recovery(ExecutionReadModel readModel, ExecutionEngine engine, EngineConfig config,
            StoreAvailability availability, Vertx vertx, Clock clock) {
        this.readModel = readModel;
        this.engine = engine;
        this.config = config;
        this.availability = availability;
        this.vertx = vertx;
        this.clock = clock;
    }

    void onStart(@Observes StartupEvent ignored) {
        if (config.recoverOnStart()) {
            availability.untilRecorded(readModel::unfinished)
                    .chain(this::recoverAll)
                    .subscribe().with(n -> {
                        if (n > 0) {
                            LOG.infof("recovered %d unfinished executions", n);
                        }
                    }, err -> LOG.error("recovery of unfinished executions failed", err));
        }
        if (!config.recovery().sweepInterval().isZero()) {
            scheduleSweep();
        }
    }

    void onStop(@Observes ShutdownEvent ignored) {
        stopped = true;
    }

    private void scheduleSweep() {
        if (stopped) {
            return;
        }
        vertx.setTimer(config.recovery().sweepInterval().toMillis(), id -> sweep().subscribe().with(n -> {
            scheduleSweep();
        }, err -> {
            LOG.debugf("recovery sweep failed, next in %s: %s", config.recovery().sweepInterval(), err.toString());
            scheduleSweep();
        }));
    }

    /** One sweep: recovers the unfinished executions that have been idle long enough and that nothing drives. */
    Uni<Long> sweep() {
        if (!availability.available()) {
            return Uni.createFrom().item(0L);
        }
        return readModel.unfinishedUnchangedSince(clock.instant().minus(config.recovery().idleBeforeSweep()),
                        SWEEP_PAGE)
                .map(ids -> ids.stream().filter(id -> !engine.drives(id)).toList())
                .invoke(ids -> {
                    if (!ids.isEmpty()) {
                        LOG.warnf("taking up %d unfinished executions that nothing drives, e.g. %s", ids.size(),
                                ids.subList(0, Math.min(5, ids.size())));
                    }
                })
                .chain(this::recoverAll);
    }

    private Uni<Long> recoverAll(List<String> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(0L);
        }
        return Multi.createFrom().iterable(ids)
                .onItem().transformToUni(id -> engine.recover(id)
                        .onFailure().recoverWithItem(err -> {
                            LOG.errorf("could not recover execution %s: %s", id, err.toString());
                            return null;
                        }))
                .merge(16)
                .collect().with(Collectors.counting());
    }
}
