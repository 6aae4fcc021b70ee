package io.harmonia.domain.execution;

/**
 * The status of a task within an execution. The final ones are COMPLETED, FAILED, SKIPPED and CANCELED (the
 * execution ended, canceled or timed out, while the task was waiting, running or waiting for a retry); every task of
 * a finished execution has one of them. {@code SCHEDULED} (ready, waiting for a slot or for a resume) and
 * {@code RETRYING} (waiting for its next attempt) are shown as {@code PENDING} by the API. {@code FANNED_OUT}: a
 * for_each task whose items run (it runs no attempt itself: not counted as RUNNING, not restarted by a recovery);
 * shown as {@code RUNNING}.
 */
public enum TaskStatus {
    PENDING, SCHEDULED, RUNNING, RETRYING, COMPLETED, FAILED, SKIPPED, CANCELED, FANNED_OUT;

    public boolean terminal() {
        return this == COMPLETED || this == FAILED || this == SKIPPED || this == CANCELED;
    }

    /** The status the API shows (seed 001's TaskExecution enum). */
    public String external() {
        return switch (this) {
            case SCHEDULED, RETRYING -> "PENDING";
            case FANNED_OUT -> "RUNNING";
            default -> name();
        };
    }
}
