package io.harmonia.eventstore;

/** Stream naming: one stream per execution, one per workflow, one per schedule, one per trigger. */
public final class StreamIds {
    private StreamIds() {}

    public static String execution(String executionId) {
        return "execution-" + executionId;
    }

    public static String workflow(String workflowId) {
        return "workflow-" + workflowId;
    }

    public static String schedule(String scheduleId) {
        return "schedule-" + scheduleId;
    }

    public static String trigger(String triggerId) {
        return "trigger-" + triggerId;
    }
}
