package io.harmonia.domain.execution;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state of one execution, folded from its events. Immutable: {@link ExecutionEvolver} returns new instances.
 *
 * @param version how many events the stream holds (the expected version of the next append)
 * @param tasks per task id, in definition order; tasks the definition has but no event touched yet are absent
 */
public record ExecutionState(
        String executionId,
        String workflowId,
        int workflowVersion,
        ExecutionStatus status,
        JsonNode input,
        JsonNode output,
        String errorType,
        String errorMessage,
        String failedTaskId,
        int maxParallelTasks,
        Instant startedAt,
        Instant endedAt,
        Instant deadline,
        Map<String, TaskState> tasks,
        long version) {

    /** Before the first event. */
    public static ExecutionState initial() {
        return new ExecutionState(null, null, 0, ExecutionStatus.PENDING, null, null, null, null, null, 1, null, null,
                null, Map.of(), 0);
    }

    public boolean exists() {
        return executionId != null;
    }

    public TaskState task(String taskId) {
        TaskState t = tasks.get(taskId);
        return t == null ? TaskState.pending(taskId) : t;
    }

    public long running() {
        return tasks.values().stream().filter(t -> t.status() == TaskStatus.RUNNING).count();
    }

    ExecutionState withTask(TaskState t, long newVersion) {
        Map<String, TaskState> copy = new LinkedHashMap<>(tasks);
        copy.put(t.taskId(), t);
        return new ExecutionState(executionId, workflowId, workflowVersion, status, input, output, errorType,
                errorMessage, failedTaskId, maxParallelTasks, startedAt, endedAt, deadline,
                Collections.unmodifiableMap(copy), newVersion);
    }

    ExecutionState withStatus(ExecutionStatus s, long newVersion) {
        return new ExecutionState(executionId, workflowId, workflowVersion, s, input, output, errorType, errorMessage,
                failedTaskId, maxParallelTasks, startedAt, endedAt, deadline, tasks, newVersion);
    }

    ExecutionState ended(ExecutionStatus s, JsonNode out, String type, String message, String taskId, Instant at,
            long newVersion) {
        return new ExecutionState(executionId, workflowId, workflowVersion, s, input, out, type, message, taskId,
                maxParallelTasks, startedAt, at, deadline, tasks, newVersion);
    }
}
