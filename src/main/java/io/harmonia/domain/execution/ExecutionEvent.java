package io.harmonia.domain.execution;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * Everything that happens to an execution, in the past tense. One execution's events form its stream; folding them
 * with {@link ExecutionEvolver} gives its state. Task events carry the task id, the run (a task may run more than
 * once in one execution) and, where it applies, the attempt within the run.
 *
 * <p>Every record is version 1 of its type unless its doc says otherwise; a changed shape gets a new version, and the
 * codec upcasts the old ones (see {@code EventCodec}).
 */
public sealed interface ExecutionEvent {

    /** When it happened (the engine's clock, passed into the decider). */
    Instant at();

    /** Task events. */
    sealed interface TaskEvent extends ExecutionEvent {
        String taskId();

        int run();
    }

    /**
     * Schema version 3: {@code parent} (the task of the execution that started this one as a sub-workflow) was
     * added; version 2 added {@code replayOf} (the execution this one replays) and {@code restoredFrom} (the
     * checkpoint it was restored from). Older events are upcast with the fields they lack null (see the codec).
     */
    record ExecutionStarted(String executionId, String workflowId, int workflowVersion, JsonNode input,
            int maxParallelTasks, Instant deadline, String replayOf, RestoredFrom restoredFrom, ParentLink parent,
            Instant at) implements ExecutionEvent {

        /** A plain start: no replay, no restore, no parent. */
        public ExecutionStarted(String executionId, String workflowId, int workflowVersion, JsonNode input,
                int maxParallelTasks, Instant deadline, Instant at) {
            this(executionId, workflowId, workflowVersion, input, maxParallelTasks, deadline, null, null, null, at);
        }

        /** A start without a parent. */
        public ExecutionStarted(String executionId, String workflowId, int workflowVersion, JsonNode input,
                int maxParallelTasks, Instant deadline, String replayOf, RestoredFrom restoredFrom, Instant at) {
            this(executionId, workflowId, workflowVersion, input, maxParallelTasks, deadline, replayOf, restoredFrom,
                    null, at);
        }
    }

    /** Where a restored execution came from: the checkpoint, its execution, and the sequence it covers. */
    record RestoredFrom(String executionId, String checkpointId, long sequence) {}

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

    /**
     * The execution's global state changed: {@code patch} is an RFC 7396 merge patch applied to it, or, with
     * {@code replace}, the new state as a whole. {@code taskId} names the task whose {@code state} mapping wrote it
     * when it completed (its run in {@code run}); null (and run 0) when it came from outside ({@code PUT}/{@code
     * PATCH /api/state}). The state's version goes up by one.
     */
    record StateUpdated(String taskId, int run, JsonNode patch, boolean replace, Instant at)
            implements ExecutionEvent {}

    /**
     * A snapshot of the execution as it was after event {@code sequence} (this event is {@code sequence + 1}).
     * Loading the execution may start from it and fold only what follows. {@code reason}: {@code request},
     * {@code every_n_events}, or {@code task:<id>} (a task marked {@code "checkpoint": true} completed). Changes
     * nothing but the stream's version. Schema version 3: the snapshot gained {@code signals}; version 2 gained
     * {@code flow}, {@code fan_outs} and {@code parent} (older snapshots are upcast with them null).
     */
    record CheckpointCreated(String checkpointId, long sequence, String reason, ExecutionSnapshot snapshot,
            Instant at) implements ExecutionEvent {}

    /**
     * The second event of an execution restored from a checkpoint (the first is its ExecutionStarted with
     * {@code restoredFrom}): the tasks carried over as they were at the checkpoint (COMPLETED, and SKIPPED because
     * their condition was false), and the state. Every other task runs.
     */
    record CheckpointRestored(String checkpointId, String sourceExecutionId, long sequence, List<TaskState> tasks,
            StateData state, Instant at) implements ExecutionEvent {}

    /**
     * A finished execution runs again, in place: the {@code tasks} (from {@code fromTask} and everything downstream
     * of it, or, when {@code fromTask} is null, every task that failed, was canceled, or was skipped because of
     * them) are PENDING again and their next run gets the next run number; the others keep their outputs. The
     * execution is RUNNING again with a new workflow {@code deadline} (null without a timeout).
     */
    record ExecutionRerun(String fromTask, List<String> tasks, Instant deadline, Instant at)
            implements ExecutionEvent {}

    /**
     * Another execution was started from this one: {@code relation} is {@code replay} (a replay of it) or
     * {@code restore} (restored from its checkpoint {@code checkpointId}). Changes nothing but the links the view
     * shows; recorded whatever the execution's status.
     */
    record ExecutionDerived(String relation, String executionId, String checkpointId, Instant at)
            implements ExecutionEvent {}

    /**
     * Control went from one task or step to another: {@code via} {@link #VIA_TRANSITION} (a state machine's
     * transition number {@code index} of step {@code fromTask}, taken when it completed), {@link #VIA_ON_ERROR} (the
     * step's {@code on_error} entry {@code index}) or {@link #VIA_ERROR_HANDLER} (the workflow's
     * {@code error_handlers} entry {@code index}, in either language). For the two error routes, {@code errorType}
     * and {@code message} are the failure's (the target sees them as {@code error}); null for a transition. The
     * target is decided right after, in the same decision.
     */
    record TransitionTaken(String fromTask, int fromRun, String toTask, String via, int index, String errorType,
            String message, Instant at) implements ExecutionEvent {
        public static final String VIA_TRANSITION = "transition";
        public static final String VIA_ON_ERROR = "on_error";
        public static final String VIA_ERROR_HANDLER = "error_handler";
    }

    /**
     * A for_each task (or step) fanned out over {@code count} items, at most {@code maxParallel} at a time: each
     * item is a task of its own, {@code <taskId>[<index>]}, with the usual task events (its input resolved with
     * {@code item} and {@code index}). The task completes when every item has, with the list of their outputs.
     */
    record ForEachExpanded(String taskId, int run, int count, int maxParallel, Instant at) implements TaskEvent {}

    /**
     * A signal arrived from outside ({@code POST /api/executions/{id}/signals/{name}}, the signals topic, or a
     * trigger): {@code payload} is its JSON body (null when it had none), {@code signalId} its id (a client's, the
     * CloudEvent id, or one Harmonia gave it; a second delivery with the same id records nothing), {@code source}
     * where it came from ({@code api}, {@code kafka}, {@code trigger:<id>}). Kept until a
     * {@code core.wait_for_signal} of that name consumes it; expressions read the latest payload of each name as
     * {@code signals.<name>}.
     */
    record SignalReceived(String name, String signalId, JsonNode payload, String source, Instant at)
            implements ExecutionEvent {}

    /**
     * A {@code core.wait_for_signal} task (run {@code run}) took the oldest signal {@code name} not consumed yet
     * ({@code signalId}); its TaskCompleted, with the payload as its output, follows in the same decision.
     */
    record SignalConsumed(String taskId, int run, String name, String signalId, Instant at) implements TaskEvent {}
}
