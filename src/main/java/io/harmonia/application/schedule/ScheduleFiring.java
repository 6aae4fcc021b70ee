package io.harmonia.application.schedule;

import io.harmonia.application.ExecutionService;
import io.harmonia.config.ScheduleConfig;
import io.harmonia.domain.definition.InvalidRequest;
import io.harmonia.domain.execution.ExecutionNotFound;
import io.harmonia.domain.schedule.FireOutcome;
import io.harmonia.domain.schedule.ScheduleCommand.CatchUp;
import io.harmonia.domain.schedule.ScheduleCommand.Fire;
import io.harmonia.domain.schedule.ScheduleCommand.ReleaseBuffered;
import io.harmonia.domain.schedule.ScheduleDecider;
import io.harmonia.domain.schedule.ScheduleEvent;
import io.harmonia.domain.schedule.ScheduleEvent.ScheduleFired;
import io.harmonia.domain.schedule.ScheduleState;
import io.harmonia.domain.schedule.ScheduleStatus;
import io.harmonia.domain.workflow.WorkflowNotFound;
import io.harmonia.eventstore.ConcurrencyConflict;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Fires schedules: decides a fire on the schedule's state (the overlap policy looks at the previous execution's
 * status in the executions read model), starts the execution under its chosen id (at most once, whoever asks), then
 * appends ScheduleFired with the expected version of the schedule's stream. A replica racing for the same fire starts
 * nothing new (the id is taken: it gets the existing execution) and loses the append; it then reads the state again,
 * in which the fire is done.
 */
@ApplicationScoped
public class ScheduleFiring {
    private static final Logger LOG = Logger.getLogger(ScheduleFiring.class);
    private static final Set<String> UNFINISHED = Set.of("PENDING", "RUNNING", "PAUSED");

    /** A manual fire: the schedule after it and what the fire did. */
    public record Triggered(ScheduleState state, ScheduleFired fire) {}

    private final ScheduleCommits commits;
    private final ExecutionService executions;
    private final ScheduleConfig config;
    private final Clock clock;

    public ScheduleFiring(ScheduleCommits commits, ExecutionService executions, ScheduleConfig config, Clock clock) {
        this.commits = commits;
        this.executions = executions;
        this.config = config;
        this.clock = clock;
    }

    /**
     * One round of a schedule's owner: records fires older than the catch-up window as missed, runs the cron fires
     * that are due (at most {@code harmonia.schedules.max-fires-per-round}), and starts a buffered fire whose
     * previous execution ended. Returns the state after the round.
     */
    public Uni<ScheduleState> round(String scheduleId) {
        return commits.load(scheduleId).chain(this::catchUp)
                .chain(s -> fireDue(s, config.maxFiresPerRound()))
                .chain(this::releaseBuffered);
    }

    /** Fires now, outside the cron (the overlap policy applies); 409 for a deleted schedule. */
    public Uni<Triggered> trigger(String scheduleId) {
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        return commits.load(scheduleId).chain(s -> decideFire(s, new Fire(now, true,
                commits.executionIdFor(scheduleId, now, true), false, now)).chain(
                        fire -> fire.isEmpty() ? Uni.createFrom().item(new Triggered(s, null))
                                : commits.commit(scheduleId, s, List.of(fire.get()))
                                        .map(after -> new Triggered(after, fire.get()))));
    }

    private Uni<ScheduleState> catchUp(ScheduleState s) {
        List<ScheduleEvent> missed = ScheduleDecider.decide(new CatchUp(config.maxMissedPerEvent(), clock.instant()), s);
        if (!missed.isEmpty()) {
            LOG.infof("schedule %s: %s", s.scheduleId(), missed.get(0));
        }
        return commits.commit(s.scheduleId(), s, missed);
    }

    private Uni<ScheduleState> fireDue(ScheduleState s, int left) {
        Instant now = clock.instant();
        Optional<Instant> next = s.nextFireAt();
        if (left == 0 || next.isEmpty() || next.get().isAfter(now)) {
            return Uni.createFrom().item(s);
        }
        Fire fire = new Fire(next.get(), false, commits.executionIdFor(s.scheduleId(), next.get(), false), false, now);
        return decideFire(s, fire)
                .chain(f -> f.isEmpty() ? Uni.createFrom().item(s) : commits.commit(s.scheduleId(), s, List.of(f.get())))
                .onFailure(ConcurrencyConflict.class).recoverWithUni(lost -> commits.load(s.scheduleId()))
                .chain(after -> after.version() == s.version() ? Uni.createFrom().item(after)
                        : fireDue(after, left - 1));
    }

    private Uni<ScheduleState> releaseBuffered(ScheduleState s) {
        if (s.buffered() == null || s.status() == ScheduleStatus.DELETED) {
            return Uni.createFrom().item(s);
        }
        return running(s.lastExecutionId()).chain(running -> {
            if (running) {
                return Uni.createFrom().item(s);
            }
            Instant now = clock.instant();
            List<ScheduleEvent> events = ScheduleDecider.decide(
                    new ReleaseBuffered(commits.executionIdFor(s.scheduleId(), s.buffered(), false), now), s);
            if (events.isEmpty()) {
                return Uni.createFrom().item(s);
            }
            return start(s, (ScheduleFired) events.get(0))
                    .chain(f -> commits.commit(s.scheduleId(), s, List.of(f)))
                    .onFailure(ConcurrencyConflict.class).recoverWithUni(lost -> commits.load(s.scheduleId()));
        });
    }

    /** The fire decided with the previous execution's status, its execution started (or its failure recorded). */
    private Uni<Optional<ScheduleFired>> decideFire(ScheduleState s, Fire fire) {
        return running(s.lastExecutionId()).chain(running -> {
            Fire asked = new Fire(fire.fireTime(), fire.manual(), fire.executionId(), running, fire.now());
            List<ScheduleEvent> events = ScheduleDecider.decide(asked, s);
            if (events.isEmpty()) {
                return Uni.createFrom().item(Optional.<ScheduleFired>empty());
            }
            ScheduleFired f = (ScheduleFired) events.get(0);
            if (!f.outcome().starts()) {
                return Uni.createFrom().item(Optional.of(f));
            }
            return start(s, f).call(started -> cancelPrevious(s, started)).map(Optional::of);
        });
    }

    private Uni<ScheduleFired> start(ScheduleState s, ScheduleFired f) {
        return executions.startAs(f.executionId(), s.spec().workflowId(), s.spec().version(), s.spec().input())
                .replaceWith(f)
                .onFailure(e -> e instanceof InvalidRequest || e instanceof WorkflowNotFound).recoverWithItem(e -> {
                    String why = e instanceof InvalidRequest bad ? bad.getMessage() + ": " + bad.problems()
                            : e.getMessage();
                    LOG.warnf("schedule %s: the fire at %s could not start an execution of workflow %s: %s",
                            s.scheduleId(), f.fireTime(), s.spec().workflowId(), why);
                    return f.withFailure(why);
                });
    }

    private Uni<Void> cancelPrevious(ScheduleState s, ScheduleFired f) {
        if (f.outcome() != FireOutcome.CANCELED_PREVIOUS
                || f.previousExecutionId() == null) {
            return Uni.createFrom().voidItem();
        }
        return executions.cancel(f.previousExecutionId(), "canceled by schedule " + s.scheduleId()
                        + " (overlap cancel_previous) for its fire at " + f.fireTime())
                .replaceWithVoid()
                .onFailure(e -> !(e instanceof ConcurrencyConflict)).recoverWithUni(e -> {
                    LOG.debugf("schedule %s: could not cancel the previous execution %s: %s", s.scheduleId(),
                            f.previousExecutionId(), e.toString());
                    return Uni.createFrom().voidItem();
                });
    }

    /** Whether an execution is unfinished; an unknown one (or none) is not. */
    private Uni<Boolean> running(String executionId) {
        if (executionId == null) {
            return Uni.createFrom().item(false);
        }
        return executions.view(executionId).map(v -> UNFINISHED.contains(v.path("status").asText()))
                .onFailure(ExecutionNotFound.class).recoverWithItem(false);
    }
}
