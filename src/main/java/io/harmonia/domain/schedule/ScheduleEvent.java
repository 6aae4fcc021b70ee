package io.harmonia.domain.schedule;

import java.time.Instant;

/**
 * Changes to a schedule (cron): its stream is {@code schedule-<id>}. Every record is version 1 of its type unless its
 * doc says otherwise (see {@code EventCodec}).
 */
public sealed interface ScheduleEvent {

    String scheduleId();

    Instant at();

    /** A schedule was created, active or {@code paused}. */
    record ScheduleCreated(String scheduleId, ScheduleSpec spec, boolean paused, Instant at)
            implements ScheduleEvent {}

    /** The spec was replaced; fires are computed from {@code at} on with the new cron. */
    record ScheduleUpdated(String scheduleId, ScheduleSpec spec, Instant at) implements ScheduleEvent {}

    /** Cron fires stop until resumed (fires while paused are neither run nor caught up). */
    record SchedulePaused(String scheduleId, Instant at) implements ScheduleEvent {}

    /** Cron fires start again with the first fire time after {@code at}. */
    record ScheduleResumed(String scheduleId, Instant at) implements ScheduleEvent {}

    /** The schedule fires no more; its history stays. */
    record ScheduleDeleted(String scheduleId, Instant at) implements ScheduleEvent {}

    /**
     * One fire: the cron's {@code fireTime} (or the time of a manual trigger), the execution it started (its id
     * derived from the schedule and the fire time; null when none started) and the {@code outcome}.
     * {@code previousExecutionId}: the unfinished execution that made the fire skip, buffer or cancel it.
     * {@code reason}: why the start failed ({@code failed} only).
     */
    record ScheduleFired(String scheduleId, Instant fireTime, String executionId, FireOutcome outcome, boolean manual,
            String previousExecutionId, String reason, Instant at) implements ScheduleEvent {

        /** This fire, recorded as failed to start for {@code why} (no execution). */
        public ScheduleFired withFailure(String why) {
            return new ScheduleFired(scheduleId, fireTime, null, FireOutcome.FAILED, manual, previousExecutionId, why,
                    at);
        }
    }

    /**
     * {@code count} cron fires from {@code firstFireTime} to {@code lastFireTime} were not run: they were older than
     * the catch-up window when a replica got to them (Harmonia down, the partition without an owner).
     */
    record ScheduleMissed(String scheduleId, Instant firstFireTime, Instant lastFireTime, long count, Instant at)
            implements ScheduleEvent {}
}
