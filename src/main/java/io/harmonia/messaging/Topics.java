package io.harmonia.messaging;

/** Channel and header names, in one place. */
public final class Topics {
    /** SmallRye channel of task results from external workers. */
    public static final String TASK_RESULTS_CHANNEL = "task-results";
    /** Topic of task results from external workers (the channel's topic). */
    public static final String TASK_RESULTS_TOPIC = "harmonia.task-results";
    /** Dead-letter topic of task results that could not be applied. */
    public static final String TASK_RESULTS_DLT = "harmonia.task-results.dlt";

    /** SmallRye channel of signals to executions. */
    public static final String SIGNALS_CHANNEL = "signals";
    /** Topic of signals to executions (the channel's topic). */
    public static final String SIGNALS_TOPIC = "harmonia.signals";
    /** Dead-letter topic of signal records that could not be delivered. */
    public static final String SIGNALS_DLT = "harmonia.signals.dlt";

    /** Kafka's binary-mode prefix of CloudEvent attributes. */
    public static final String CE_PREFIX = "ce_";
    public static final String CE_SPECVERSION = "ce_specversion";
    public static final String CE_ID = "ce_id";
    public static final String CE_SOURCE = "ce_source";
    public static final String CE_TYPE = "ce_type";
    public static final String CE_SUBJECT = "ce_subject";
    public static final String CE_TIME = "ce_time";
    public static final String CE_WORKFLOW_ID = "ce_workflowid";
    public static final String CE_SEQUENCE = "ce_sequence";
    /** CloudEvents' standard {@code dataref} extension: where the event's data can be fetched (claim check). */
    public static final String CE_DATAREF = "ce_dataref";
    /** Set on a reference record: why the event was not published as it is (too_large, refused, error). */
    public static final String CE_CLAIM_CHECK = "ce_harmoniaclaimcheck";
    public static final String CONTENT_TYPE = "content-type";

    private Topics() {}
}
