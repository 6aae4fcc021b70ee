package io.harmonia.application;

/** A bulk job that has finished cannot be canceled. */
public final class JobFinished extends RuntimeException {
    private final String status;

    public JobFinished(String jobId, String status) {
        super("Expected bulk job '" + jobId + "' to be PENDING or RUNNING to cancel it, but it is " + status);
        this.status = status;
    }

    public String status() {
        return status;
    }
}
