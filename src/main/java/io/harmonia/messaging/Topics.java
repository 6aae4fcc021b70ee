package io.harmonia.messaging;

/** Channel and header names, in one place. */
public final class Topics {
    /** SmallRye channel of task results from external workers. */
    public static final String TASK_RESULTS_CHANNEL = "task-results";

    public static final String CE_SPECVERSION = "ce_specversion";
    public static final String CE_ID = "ce_id";
    public static final String CE_SOURCE = "ce_source";
    public static final String CE_TYPE = "ce_type";
    public static final String CE_SUBJECT = "ce_subject";
    public static final String CE_TIME = "ce_time";
    public static final String CE_WORKFLOW_ID = "ce_workflowid";
    public static final String CE_SEQUENCE = "ce_sequence";
    public static final String CONTENT_TYPE = "content-type";

    private Topics() {}
}
