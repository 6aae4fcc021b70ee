package io.harmonia.domain.execution;

/**
 * The status of a task within an execution. {@code SCHEDULED} (ready, waiting for a slot or for a resume) and
 * {@code RETRYING} (waiting for its next attempt) are shown as {@code PENDING} by the API.
 */
public enum TaskStatus {
    PENDING, SCHEDULED, RUNNING, RETRYING, COMPLETED, FAILED, SKIPPED;

    public boolean terminal() {
        return this == COMPLETED || this == FAILED || this == SKIPPED;
    }

    /** The status the API shows (seed 001's TaskExecution enum). */
    public String external() {
        return switch (this) {
            case SCHEDULED, RETRYING -> "PENDING";
            default -> name();
        };
    }
}
