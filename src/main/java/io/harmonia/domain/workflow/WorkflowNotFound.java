package io.harmonia.domain.workflow;

/** No workflow (or no such version of it) exists. */
public final class WorkflowNotFound extends RuntimeException {
    public WorkflowNotFound(String workflowId, Integer version) {
        super(version == null ? "Expected a workflow with id '" + workflowId + "', but none exists"
                : "Expected version " + version + " of workflow '" + workflowId + "', but it has no such version");
    }

    /** No such version; versions are numbered from 1 without gaps, so {@code latest} says which exist. */
    public WorkflowNotFound(String workflowId, int version, int latest) {
        super("Expected version " + version + " of workflow '" + workflowId + "', but it has no such version; its"
                + " versions are " + (latest == 1 ? "1" : latest == 2 ? "1, 2" : "1 to " + latest));
    }
}
