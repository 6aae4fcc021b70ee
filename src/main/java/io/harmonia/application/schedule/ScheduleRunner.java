package io.harmonia.application.schedule;

import io.harmonia.config.ScheduleConfig;
import io.harmonia.domain.schedule.ScheduleState;
import io.harmonia.eventstore.StoreAvailability;
import io.harmonia.projection.schedules.ScheduleReadModel;
import io.harmonia.runtime.cluster.Ownership;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Schedules, seen from one replica: every {@code harmonia.schedules.scan-interval} it reads the schedules of the
 * partitions it owns whose next fire falls within {@code harmonia.schedules.horizon} (or that have a buffered fire),
 * runs a round for those due ({@link ScheduleFiring#round}: catch-up, fires, buffered release) and arms an in-memory
 * timer at the fire time for the others. After a round it arms the schedule's next fire at once, so a schedule firing
 * every second does not wait for scans. A new owner (takeover, restart) finds the overdue rows at its first scan and
 * catches up. Nothing here blocks: timers and reactive Postgres queries only; while Postgres is down, scans are
 * skipped and the fires are caught up (within their window) when it is back.
 */
@ApplicationScoped
public class ScheduleRunner {
    private static final Logger LOG = Logger.getLogger(ScheduleRunner.class);
    static final int PAGE = 1000;

    private record Armed(Instant at, long timerId) {}

    private final ScheduleFiring firing;
    private final ScheduleCommits commits;
    private final ScheduleReadModel readModel;
    private final Ownership ownership;
    private final StoreAvailability availability;
    private final ScheduleConfig config;
    private final Vertx vertx;
    private final Clock clock;
    private final Set<String> inRound = ConcurrentHashMap.newKeySet();
    private final Map<String, Armed> armed = new ConcurrentHashMap<>();
    private volatile boolean stopped;

    public ScheduleRunner(ScheduleFiring firing, ScheduleCommits commits, ScheduleReadModel readModel,
            Ownership ownership, StoreAvailability availability, ScheduleConfig config, Vertx vertx, Clock clock) {
        this.firing = firing;
        this.commits = commits;
        this.readModel = readModel;
        this.ownership = ownership;
        this.availability = availability;
        this.config = config;
        this.vertx = vertx;
        this.clock = clock;
    }

    void onStart(@Observes StartupEvent ignored) {
        nextScan();
    }

    void onStop(@Observes ShutdownEvent ignored) {
        stopped = true;
    }

    private void nextScan() {
        if (stopped || config.scanInterval().isZero()) {
            return;
        }
        vertx.setTimer(config.scanInterval().toMillis(), id -> scan().subscribe().with(n -> nextScan(), err -> {
            LOG.debugf("schedule scan failed, next in %s: %s", config.scanInterval(), err.toString());
            nextScan();
        }));
    }

    /** One scan of the owned partitions; returns how many schedules it started a round for. */
    Uni<Integer> scan() {
        Set<Integer> owned = ownership.owned();
        if (!availability.available() || owned.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        Instant now = clock.instant();
        return readModel.due(owned, now.plus(config.horizon()), PAGE).map(due -> {
            int rounds = 0;
            for (ScheduleReadModel.Due d : due) {
                if (d.buffered() || (d.nextFireAt() != null && !d.nextFireAt().isAfter(now))) {
                    rounds += run(d.scheduleId()) ? 1 : 0;
                } else if (d.nextFireAt() != null) {
                    arm(d.scheduleId(), d.nextFireAt());
                }
            }
            return rounds;
        });
    }

    /** Starts a round for a schedule this replica owns, unless one is running; false when none started. */
    private boolean run(String scheduleId) {
        if (stopped || !commits.owns(scheduleId) || !inRound.add(scheduleId)) {
            return false;
        }
        firing.round(scheduleId).subscribe().with(state -> {
            inRound.remove(scheduleId);
            armNext(state);
        }, err -> {
            inRound.remove(scheduleId);
            availability.failed(err);
            LOG.debugf("schedule %s: round failed, the next scan retries: %s", scheduleId, err.toString());
        });
        return true;
    }

    private void armNext(ScheduleState state) {
        state.nextFireAt().filter(at -> at.isBefore(clock.instant().plus(config.horizon())))
                .ifPresent(at -> arm(state.scheduleId(), at));
    }

    /** Arms one timer per schedule, at its next fire time (re-arming when the time changed). */
    private void arm(String scheduleId, Instant at) {
        Armed current = armed.get(scheduleId);
        if (current != null && current.at().equals(at)) {
            return;
        }
        if (current != null) {
            vertx.cancelTimer(current.timerId());
        }
        long delay = Math.max(1, Duration.between(clock.instant(), at).toMillis() + 1);
        long timerId = vertx.setTimer(delay, id -> {
            armed.computeIfPresent(scheduleId, (key, a) -> a.timerId() == id ? null : a);
            run(scheduleId);
        });
        armed.put(scheduleId, new Armed(at, timerId));
    }
}
