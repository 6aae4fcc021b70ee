package io.harmonia.domain.schedule;

import io.harmonia.domain.schedule.ScheduleEvent.ScheduleCreated;
import io.harmonia.domain.schedule.ScheduleEvent.ScheduleDeleted;
import io.harmonia.domain.schedule.ScheduleEvent.ScheduleFired;
import io.harmonia.domain.schedule.ScheduleEvent.ScheduleMissed;
import io.harmonia.domain.schedule.ScheduleEvent.SchedulePaused;
import io.harmonia.domain.schedule.ScheduleEvent.ScheduleResumed;
import io.harmonia.domain.schedule.ScheduleEvent.ScheduleUpdated;
import java.util.List;

/** Folds a schedule's events into its state: the only place the state changes. Pure. */
public final class ScheduleEvolver {
    private ScheduleEvolver() {}

    /** The state after {@code events}, from nothing ({@code null}). */
    public static ScheduleState fold(List<ScheduleEvent> events) {
        ScheduleState s = null;
        for (ScheduleEvent e : events) {
            s = evolve(s, e);
        }
        return s;
    }

    /** {@code state} (null before the schedule is created) after one more event. */
    public static ScheduleState evolve(ScheduleState state, ScheduleEvent event) {
        if (event instanceof ScheduleCreated c) {
            return new ScheduleState(c.scheduleId(), c.spec(), c.paused() ? ScheduleStatus.PAUSED
                    : ScheduleStatus.ACTIVE, 1, c.at(), c.at(), c.at(), null, null, ScheduleState.Counts.NONE,
                    List.of());
        }
        if (state == null) {
            throw new IllegalStateException("Expected ScheduleCreated first in the stream of schedule '"
                    + event.scheduleId() + "', found " + event.getClass().getSimpleName());
        }
        ScheduleState next = state.withVersion(state.version() + 1, event.at());
        if (event instanceof ScheduleUpdated u) {
            return next.withSpec(u.spec()).withCursor(u.at());
        }
        if (event instanceof SchedulePaused) {
            return next.withStatus(ScheduleStatus.PAUSED);
        }
        if (event instanceof ScheduleResumed r) {
            return next.withStatus(ScheduleStatus.ACTIVE).withCursor(r.at());
        }
        if (event instanceof ScheduleDeleted) {
            return next.withStatus(ScheduleStatus.DELETED).withBuffered(null);
        }
        if (event instanceof ScheduleMissed m) {
            return next.withCursor(m.lastFireTime()).withCounts(next.counts().plusMissed(m.count()));
        }
        return fired(next, (ScheduleFired) event);
    }

    private static ScheduleState fired(ScheduleState s, ScheduleFired f) {
        ScheduleState out = s.withCounts(s.counts().plus(f.outcome()))
                .withFire(new ScheduleState.Fire(f.fireTime(), f.executionId(), f.outcome(), f.manual(),
                        f.previousExecutionId(), f.reason(),
                        f.at()));
        if (!f.manual() && (out.cursor() == null || f.fireTime().isAfter(out.cursor()))) {
            out = out.withCursor(f.fireTime());
        }
        if (f.outcome().starts()) {
            out = out.withLastExecutionId(f.executionId());
        }
        if (f.outcome() == FireOutcome.BUFFERED) {
            out = out.withBuffered(f.fireTime());
        } else if (f.outcome().starts() && f.fireTime().equals(s.buffered())) {
            out = out.withBuffered(null);
        } else if (f.outcome() == FireOutcome.FAILED && f.fireTime().equals(s.buffered())) {
            out = out.withBuffered(null);
        }
        return out;
    }
}
