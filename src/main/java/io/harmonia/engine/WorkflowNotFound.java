package io.harmonia.engine;

/** No workflow (or no such version of it) exists. */
public final class WorkflowNotFound extends RuntimeException {
    public WorkflowNotFound(String workflowId, Integer version) {
        super(version == null ? "Expected a workflow with id '" + workflowId + "', but none exists"
                : "Expected version " + version + " of workflow '" + workflowId + "', but it has no such version");
    }
}
