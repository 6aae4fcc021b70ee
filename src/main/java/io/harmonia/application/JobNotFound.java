package io.harmonia.application;

/** No bulk job has this id. */
public final class JobNotFound extends RuntimeException {
    public JobNotFound(String jobId) {
        super("Expected a bulk job with id '" + jobId + "', but there is none");
    }
}
