package io.harmonia.domain.schedule;

import io.harmonia.domain.schedule.ScheduleCommand.CatchUp;
import io.harmonia.domain.schedule.ScheduleCommand.Create;
import io.harmonia.domain.schedule.ScheduleCommand.Delete;
import io.harmonia.domain.schedule.ScheduleCommand.Fire;
import io.harmonia.domain.schedule.ScheduleCommand.Pause;
import io.harmonia.domain.schedule.ScheduleCommand.ReleaseBuffered;
import io.harmonia.domain.schedule.ScheduleCommand.Resume;
import io.harmonia.domain.schedule.ScheduleCommand.Update;
import io.harmonia.domain.schedule.ScheduleEvent.ScheduleCreated;
import io.harmonia.domain.schedule.ScheduleEvent.ScheduleDeleted;
import io.harmonia.domain.schedule.ScheduleEvent.ScheduleFired;
import io.harmonia.domain.schedule.ScheduleEvent.ScheduleMissed;
import io.harmonia.domain.schedule.ScheduleEvent.SchedulePaused;
import io.harmonia.domain.schedule.ScheduleEvent.ScheduleResumed;
import io.harmonia.domain.schedule.ScheduleEvent.ScheduleUpdated;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * decide(command, state) -> events for schedules. Pure: time and the previous execution's status are inputs.
 * Repeated commands that change nothing (pause a paused schedule, delete a deleted one) give no events.
 *
 * @throws ScheduleRejected when the command does not apply in the schedule's status
 */
public final class ScheduleDecider {
    private ScheduleDecider() {}

    public static List<ScheduleEvent> decide(ScheduleCommand command, ScheduleState state) {
        if (command instanceof Create c) {
            if (state != null) {
                throw new ScheduleRejected("Expected no schedule with id '" + c.scheduleId() + "', found one "
                        + state.status().json(), state.status());
            }
            return List.of(new ScheduleCreated(c.scheduleId(), c.spec(), c.paused(), c.now()));
        }
        if (state == null) {
            throw new IllegalArgumentException("Expected an existing schedule for " + command.getClass().getSimpleName());
        }
        String id = state.scheduleId();
        if (state.status() == ScheduleStatus.DELETED) {
            if (command instanceof Delete || command instanceof CatchUp) {
                return List.of();
            }
            throw new ScheduleRejected("Expected a schedule that is not deleted, but schedule '" + id
                    + "' was deleted", state.status());
        }
        if (command instanceof Update u) {
            return List.of(new ScheduleUpdated(id, u.spec(), u.now()));
        }
        if (command instanceof Pause p) {
            return state.status() == ScheduleStatus.PAUSED ? List.of() : List.of(new SchedulePaused(id, p.now()));
        }
        if (command instanceof Resume r) {
            return state.status() == ScheduleStatus.ACTIVE ? List.of() : List.of(new ScheduleResumed(id, r.now()));
        }
        if (command instanceof Delete d) {
            return List.of(new ScheduleDeleted(id, d.now()));
        }
        if (command instanceof CatchUp c) {
            return catchUp(state, c);
        }
        if (command instanceof Fire f) {
            return fire(state, f);
        }
        return release(state, (ReleaseBuffered) command);
    }

    /** The cron fires due at {@code now} that are older than the catch-up window, as one ScheduleMissed. */
    private static List<ScheduleEvent> catchUp(ScheduleState state, CatchUp c) {
        if (state.status() != ScheduleStatus.ACTIVE) {
            return List.of();
        }
        Instant oldest = c.now().minus(state.spec().catchupWindow());
        CronTimes times = state.spec().times();
        Instant first = null;
        Instant last = null;
        long count = 0;
        Instant after = state.cursor();
        while (count < c.maxCount()) {
            Optional<Instant> next = state.nextAfter(times, after);
            if (next.isEmpty() || !next.get().isBefore(oldest)) {
                break;
            }
            if (first == null) {
                first = next.get();
            }
            last = next.get();
            count++;
            after = last;
        }
        return count == 0 ? List.of() : List.of(new ScheduleMissed(state.scheduleId(), first, last, count, c.now()));
    }

    private static List<ScheduleEvent> fire(ScheduleState state, Fire f) {
        if (!f.manual()) {
            if (state.status() != ScheduleStatus.ACTIVE) {
                return List.of();
            }
            Optional<Instant> due = state.nextCronFire();
            if (due.isEmpty() || !due.get().equals(f.fireTime())) {
                return List.of(); // fired already (a racing replica) or no longer the next fire time
            }
        }
        String previous = state.lastExecutionId();
        FireOutcome outcome = !f.previousRunning() ? FireOutcome.STARTED : switch (state.spec().overlap()) {
            case SKIP -> FireOutcome.SKIPPED;
            case BUFFER_ONE -> state.buffered() == null ? FireOutcome.BUFFERED : FireOutcome.SKIPPED;
            case ALLOW -> FireOutcome.STARTED;
            case CANCEL_PREVIOUS -> FireOutcome.CANCELED_PREVIOUS;
        };
        return List.of(new ScheduleFired(state.scheduleId(), f.fireTime(), outcome.starts() ? f.executionId() : null,
                outcome, f.manual(), f.previousRunning() ? previous : null, null, f.now()));
    }

    private static List<ScheduleEvent> release(ScheduleState state, ReleaseBuffered r) {
        if (state.buffered() == null) {
            return List.of();
        }
        return List.of(new ScheduleFired(state.scheduleId(), state.buffered(), r.executionId(), FireOutcome.STARTED,
                false, null, null, r.now()));
    }
}
