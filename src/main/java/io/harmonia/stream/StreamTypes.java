package io.harmonia.stream;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The names of events in live streams and webhooks: {@code ExecutionStarted} is {@code workflow_started},
 * {@code TaskRetryScheduled} is {@code task_retry_scheduled}.
 */
public final class StreamTypes {

    private static final Map<String, String> BY_EVENT_TYPE = new LinkedHashMap<>();

    static {
        BY_EVENT_TYPE.put("ExecutionStarted", "workflow_started");
        BY_EVENT_TYPE.put("TaskScheduled", "task_scheduled");
        BY_EVENT_TYPE.put("TaskStarted", "task_started");
        BY_EVENT_TYPE.put("TaskCompleted", "task_completed");
        BY_EVENT_TYPE.put("TaskFailed", "task_failed");
        BY_EVENT_TYPE.put("TaskRetryScheduled", "task_retry_scheduled");
        BY_EVENT_TYPE.put("TaskSkipped", "task_skipped");
        BY_EVENT_TYPE.put("TaskTimedOut", "task_timed_out");
        BY_EVENT_TYPE.put("TaskCanceled", "task_canceled");
        BY_EVENT_TYPE.put("ExecutionPaused", "workflow_paused");
        BY_EVENT_TYPE.put("ExecutionResumed", "workflow_resumed");
        BY_EVENT_TYPE.put("ExecutionCanceled", "workflow_canceled");
        BY_EVENT_TYPE.put("ExecutionCompleted", "workflow_completed");
        BY_EVENT_TYPE.put("ExecutionFailed", "workflow_failed");
        BY_EVENT_TYPE.put("StateUpdated", "state_updated");
        BY_EVENT_TYPE.put("CheckpointCreated", "checkpoint_created");
        BY_EVENT_TYPE.put("CheckpointRestored", "workflow_restored");
        BY_EVENT_TYPE.put("ExecutionRerun", "workflow_rerun");
        BY_EVENT_TYPE.put("ExecutionDerived", "workflow_derived");
        BY_EVENT_TYPE.put("TransitionTaken", "transition_taken");
        BY_EVENT_TYPE.put("ForEachExpanded", "task_fanned_out");
        BY_EVENT_TYPE.put("SignalReceived", "signal_received");
        BY_EVENT_TYPE.put("SignalConsumed", "signal_consumed");
    }

    /** Every stream event name, in the order of an execution's life. */
    public static final List<String> NAMES = List.copyOf(BY_EVENT_TYPE.values());

    private StreamTypes() {}

    /** The stream name of a stored execution event type, or null for other events (workflow events). */
    public static String of(String eventType) {
        return BY_EVENT_TYPE.get(eventType);
    }

    public static boolean known(String name) {
        return BY_EVENT_TYPE.containsValue(name);
    }

    /** Whether the event ends its execution. */
    public static boolean terminal(String name) {
        return "workflow_completed".equals(name) || "workflow_failed".equals(name)
                || "workflow_canceled".equals(name);
    }
}
