package io.harmonia.domain.schedule;

import java.time.Instant;

/** What can be asked of a schedule; {@code now} is passed in (the decider reads no clock). */
public sealed interface ScheduleCommand {

    Instant now();

    record Create(String scheduleId, ScheduleSpec spec, boolean paused, Instant now) implements ScheduleCommand {}

    record Update(ScheduleSpec spec, Instant now) implements ScheduleCommand {}

    record Pause(Instant now) implements ScheduleCommand {}

    record Resume(Instant now) implements ScheduleCommand {}

    record Delete(Instant now) implements ScheduleCommand {}

    /**
     * Fire at {@code fireTime}: the cron's next fire time, or (manual) the time of a trigger. {@code executionId}: the
     * id an execution started by this fire gets. {@code previousRunning}: whether the execution started last is
     * unfinished (read from the executions read model by the caller).
     */
    record Fire(Instant fireTime, boolean manual, String executionId, boolean previousRunning, Instant now)
            implements ScheduleCommand {}

    /** Record as missed the cron fires older than the catch-up window (at most {@code maxCount} in one event). */
    record CatchUp(long maxCount, Instant now) implements ScheduleCommand {}

    /** Start the buffered fire ({@code buffer_one}) now that the previous execution is no longer running. */
    record ReleaseBuffered(String executionId, Instant now) implements ScheduleCommand {}
}
