package io.harmonia.domain.execution;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;

/**
 * The state of one execution, folded from its events. Immutable: {@link ExecutionEvolver} returns new instances.
 *
 * @param version how many events the stream holds (the expected version of the next append)
 * @param table the tasks no event touched yet are absent from (they are PENDING), with counts kept up to date
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
        TaskTable table,
        long version) {

    /** Before the first event. */
    public static ExecutionState initial() {
        return new ExecutionState(null, null, 0, ExecutionStatus.PENDING, null, null, null, null, null, 1, null, null,
                null, TaskTable.EMPTY, 0);
    }

    public boolean exists() {
        return executionId != null;
    }

    /** Per task id, in no particular order; tasks the definition has but no event touched yet are absent. */
    public Map<String, TaskState> tasks() {
        return table.tasks();
    }

    public TaskState task(String taskId) {
        TaskState t = table.tasks().get(taskId);
        return t == null ? TaskState.pending(taskId) : t;
    }

    /** How many tasks are RUNNING: O(1). */
    public long running() {
        return table.running();
    }

    ExecutionState withTask(TaskState t, long newVersion) {
        return new ExecutionState(executionId, workflowId, workflowVersion, status, input, output, errorType,
                errorMessage, failedTaskId, maxParallelTasks, startedAt, endedAt, deadline, table.with(t),
                newVersion);
    }

    ExecutionState withStatus(ExecutionStatus s, long newVersion) {
        return new ExecutionState(executionId, workflowId, workflowVersion, s, input, output, errorType, errorMessage,
                failedTaskId, maxParallelTasks, startedAt, endedAt, deadline, table, newVersion);
    }

    ExecutionState ended(ExecutionStatus s, JsonNode out, String type, String message, String taskId, Instant at,
            long newVersion) {
        return new ExecutionState(executionId, workflowId, workflowVersion, s, input, out, type, message, taskId,
                maxParallelTasks, startedAt, at, deadline, table, newVersion);
    }
}
