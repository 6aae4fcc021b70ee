package io.harmonia.domain.schedule;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A schedule folded from its events ({@link ScheduleEvolver}). {@code cursor}: the cron fires up to it are done
 * (fired, skipped or missed); the next is the first cron time after it. {@code lastExecutionId}: the execution the
 * overlap policy looks at. {@code buffered}: the fire time waiting for it to end ({@code buffer_one}).
 * {@code recent}: the last {@link #RECENT} fires, newest first.
 */
public record ScheduleState(String scheduleId, ScheduleSpec spec, ScheduleStatus status, long version,
        Instant createdAt, Instant updatedAt, Instant cursor, String lastExecutionId, Instant buffered,
        Counts counts, List<Fire> recent) {

    /** How many fires the state keeps (the stream keeps them all). */
    public static final int RECENT = 20;

    /** How many fires had each outcome, and how many cron fires were missed. */
    public record Counts(long started, long skipped, long buffered, long canceledPrevious, long failed, long missed) {
        public static final Counts NONE = new Counts(0, 0, 0, 0, 0, 0);

        public Counts plus(FireOutcome outcome) {
            return switch (outcome) {
                case STARTED -> new Counts(started + 1, skipped, buffered, canceledPrevious, failed, missed);
                case SKIPPED -> new Counts(started, skipped + 1, buffered, canceledPrevious, failed, missed);
                case BUFFERED -> new Counts(started, skipped, buffered + 1, canceledPrevious, failed, missed);
                case CANCELED_PREVIOUS -> new Counts(started, skipped, buffered, canceledPrevious + 1, failed, missed);
                case FAILED -> new Counts(started, skipped, buffered, canceledPrevious, failed + 1, missed);
            };
        }

        public Counts plusMissed(long n) {
            return new Counts(started, skipped, buffered, canceledPrevious, failed, missed + n);
        }
    }

    /** One fire as the view lists it. */
    public record Fire(Instant fireTime, String executionId, FireOutcome outcome, boolean manual,
            String previousExecutionId, String reason, Instant at) {}

    public ScheduleState withSpec(ScheduleSpec newSpec) {
        return new ScheduleState(scheduleId, newSpec, status, version, createdAt, updatedAt, cursor, lastExecutionId,
                buffered, counts, recent);
    }

    public ScheduleState withStatus(ScheduleStatus newStatus) {
        return new ScheduleState(scheduleId, spec, newStatus, version, createdAt, updatedAt, cursor, lastExecutionId,
                buffered, counts, recent);
    }

    /** The state after one more event recorded at {@code at}. */
    public ScheduleState withVersion(long newVersion, Instant at) {
        return new ScheduleState(scheduleId, spec, status, newVersion, createdAt, at, cursor, lastExecutionId,
                buffered, counts, recent);
    }

    public ScheduleState withCursor(Instant newCursor) {
        return new ScheduleState(scheduleId, spec, status, version, createdAt, updatedAt, newCursor, lastExecutionId,
                buffered, counts, recent);
    }

    public ScheduleState withLastExecutionId(String id) {
        return new ScheduleState(scheduleId, spec, status, version, createdAt, updatedAt, cursor, id, buffered,
                counts, recent);
    }

    public ScheduleState withBuffered(Instant fireTime) {
        return new ScheduleState(scheduleId, spec, status, version, createdAt, updatedAt, cursor, lastExecutionId,
                fireTime, counts, recent);
    }

    public ScheduleState withCounts(Counts newCounts) {
        return new ScheduleState(scheduleId, spec, status, version, createdAt, updatedAt, cursor, lastExecutionId,
                buffered, newCounts, recent);
    }

    /** {@code fire} first, then the newest of the others up to {@link #RECENT}. */
    public ScheduleState withFire(Fire fire) {
        List<Fire> out = new ArrayList<>(RECENT);
        out.add(fire);
        for (int i = 0; i < recent.size() && out.size() < RECENT; i++) {
            out.add(recent.get(i));
        }
        return new ScheduleState(scheduleId, spec, status, version, createdAt, updatedAt, cursor, lastExecutionId,
                buffered, counts, List.copyOf(out));
    }

    /**
     * The next cron fire after the cursor within {@code start_at}..{@code end_at}, whatever the status; empty when
     * the cron names no more times or they are all after {@code end_at}.
     */
    public Optional<Instant> nextCronFire() {
        return nextAfter(spec.times(), cursor);
    }

    /** Up to {@code n} cron fires after the cursor, for the view; none unless the schedule is active. */
    public List<Instant> nextFires(int n) {
        List<Instant> out = new ArrayList<>();
        if (status != ScheduleStatus.ACTIVE) {
            return out;
        }
        CronTimes times = spec.times();
        Instant after = cursor;
        while (out.size() < n) {
            Optional<Instant> next = nextAfter(times, after);
            if (next.isEmpty()) {
                break;
            }
            out.add(next.get());
            after = next.get();
        }
        return out;
    }

    /** When the schedule's owner must next act on its own: the next cron fire while active, else never. */
    public Optional<Instant> nextFireAt() {
        return status == ScheduleStatus.ACTIVE ? nextCronFire() : Optional.empty();
    }

    Optional<Instant> nextAfter(CronTimes times, Instant after) {
        Instant from = spec.startAt() != null && spec.startAt().isAfter(after) ? spec.startAt().minusNanos(1) : after;
        Optional<Instant> next = times.next(from);
        return next.filter(t -> spec.endAt() == null || !t.isAfter(spec.endAt()));
    }
}
