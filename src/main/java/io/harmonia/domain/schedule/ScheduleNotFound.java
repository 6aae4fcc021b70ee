package io.harmonia.domain.schedule;

/** No schedule with that id exists: a 404. */
public final class ScheduleNotFound extends RuntimeException {
    public ScheduleNotFound(String scheduleId) {
        super("Expected a schedule with id '" + scheduleId + "', but none exists");
    }
}
