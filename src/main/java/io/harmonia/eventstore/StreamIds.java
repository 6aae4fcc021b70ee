package io.harmonia.eventstore;

/** Stream naming: one stream per execution, one per workflow. */
public final class StreamIds {
    private StreamIds() {}

    public static String execution(String executionId) {
        return "execution-" + executionId;
    }

    public static String workflow(String workflowId) {
        return "workflow-" + workflowId;
    }
}
