package io.harmonia.domain.execution;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * Everything that happens to an execution, in the past tense. One execution's events form its stream; folding them
 * with {@link ExecutionEvolver} gives its state. Task events carry the task id, the run (a task may run more than
 * once in one execution) and, where it applies, the attempt within the run.
 *
 * <p>Every record is version 1 of its type; a changed shape gets a new version, and the codec keeps reading the old.
 */
public sealed interface ExecutionEvent {

    /** When it happened (the engine's clock, passed into the decider). */
    Instant at();

    /** Task events. */
    sealed interface TaskEvent extends ExecutionEvent {
        String taskId();

        int run();
    }

    record ExecutionStarted(String executionId, String workflowId, int workflowVersion, JsonNode input,
            int maxParallelTasks, Instant deadline, Instant at) implements ExecutionEvent {}

    /** The task's dependencies are met and its condition holds; its input is resolved and recorded here. */
    record TaskScheduled(String taskId, int run, JsonNode input, Instant at) implements TaskEvent {}

    /** An attempt was handed to its component. {@code deadline} is null without a timeout. */
    record TaskStarted(String taskId, int run, int attempt, Instant deadline, Instant at) implements TaskEvent {}

    record TaskCompleted(String taskId, int run, int attempt, JsonNode output, Instant at) implements TaskEvent {}

    /** The run failed for good (no retry left, or the error is not retriable). */
    record TaskFailed(String taskId, int run, int attempt, String errorType, String message, Instant at)
            implements TaskEvent {}

    /** An attempt failed and another one will start at {@code dueAt}. */
    record TaskRetryScheduled(String taskId, int run, int failedAttempt, String errorType, String message,
            Instant dueAt, Instant at) implements TaskEvent {}

    /**
     * The task will not run: its condition was false ({@code CONDITION_FALSE}), an upstream task failed
     * ({@code UPSTREAM_FAILED}), or the execution ended before it was reached ({@code EXECUTION_CANCELED},
     * {@code EXECUTION_TIMED_OUT}).
     */
    record TaskSkipped(String taskId, int run, String reason, Instant at) implements TaskEvent {}

    /**
     * The execution ended (canceled, or its workflow timeout passed) while the task was SCHEDULED, RUNNING or
     * RETRYING: the task is CANCELED. {@code reason} is {@code EXECUTION_CANCELED} or {@code EXECUTION_TIMED_OUT};
     * {@code attempt} is the last attempt started (0 if none). Emitted just before the execution's final event;
     * tasks that were still PENDING get a {@link TaskSkipped} with the same reason instead. A late result of the
     * canceled attempt is ignored.
     */
    record TaskCanceled(String taskId, int run, int attempt, String reason, String message, Instant at)
            implements TaskEvent {}

    /** An attempt passed its deadline; a TaskRetryScheduled or TaskFailed follows in the same decision. */
    record TaskTimedOut(String taskId, int run, int attempt, Instant at) implements TaskEvent {}

    record ExecutionPaused(String reason, Instant at) implements ExecutionEvent {}

    record ExecutionResumed(Instant at) implements ExecutionEvent {}

    record ExecutionCanceled(String reason, Instant at) implements ExecutionEvent {}

    record ExecutionCompleted(JsonNode output, Instant at) implements ExecutionEvent {}

    /** {@code taskId} names the task whose failure failed the execution, or is null. */
    record ExecutionFailed(String errorType, String message, String taskId, Instant at) implements ExecutionEvent {}
}
