package io.harmonia.domain.execution;

/** The status of an execution. */
public enum ExecutionStatus {
    PENDING, RUNNING, PAUSED, COMPLETED, FAILED, CANCELED;

    public boolean terminal() {
        return this == COMPLETED || this == FAILED || this == CANCELED;
    }
}
