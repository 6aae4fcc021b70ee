package io.harmonia.domain.schedule;

/** A command that does not apply in the schedule's status (e.g. an update of a deleted schedule): a 409. */
public final class ScheduleRejected extends RuntimeException {
    private final ScheduleStatus status;

    public ScheduleRejected(String message, ScheduleStatus status) {
        super(message);
        this.status = status;
    }

    public ScheduleStatus status() {
        return status;
    }
}
