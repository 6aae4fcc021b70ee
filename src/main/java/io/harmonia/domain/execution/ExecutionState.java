package io.harmonia.domain.execution;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;

/**
 * The state of one execution, folded from its events. Immutable: {@link ExecutionEvolver} returns new instances.
 *
 * @param version how many events the stream holds (the expected version of the next append)
 * @param table the tasks no event touched yet are absent from (they are PENDING), with counts kept up to date
 * @param stateData the execution's state: global and per task ({@link StateData})
 * @param lineage replay, restore and re-run links
 * @param lastCheckpoint the sequence (stream version) of the latest CheckpointCreated event, or 0
 * @param flow the routes taken: a state machine's transitions, and error routes in either language
 * @param fanOuts the for_each tasks that fanned out
 * @param parent the task of the execution that started this one as a sub-workflow, or null
 * @param signals the signals it received, and those not consumed by a wait yet
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
        long version,
        StateData stateData,
        Lineage lineage,
        long lastCheckpoint,
        Flow flow,
        FanOuts fanOuts,
        ParentLink parent,
        Signals signals) {

    public ExecutionState {
        flow = flow == null ? Flow.NONE : flow;
        fanOuts = fanOuts == null ? FanOuts.NONE : fanOuts;
        signals = signals == null ? Signals.NONE : signals;
    }

    /** Before the first event. */
    public static ExecutionState initial() {
        return new ExecutionState(null, null, 0, ExecutionStatus.PENDING, null, null, null, null, null, 1, null, null,
                null, TaskTable.EMPTY, 0, StateData.EMPTY, Lineage.NONE, 0, Flow.NONE, FanOuts.NONE, null, Signals.NONE);
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

    /** {@link #wakeAt()} of an execution that waits for nothing that time brings (e.g. paused, nothing running). */
    public static final Instant NEVER = Instant.parse("9999-12-31T00:00:00Z");

    /**
     * When this execution next needs the replica that drives it, while none of its attempts runs: its earliest timer
     * (see {@link #earliestTimer}), or {@link #NEVER}. Null while an attempt runs (or when it has finished): then it
     * is driven in memory. O(tasks) when nothing runs, O(1) otherwise.
     */
    public Instant wakeAt() {
        if (status.terminal() || running() > 0) {
            return null;
        }
        return earliestTimer();
    }

    /**
     * The earliest time something falls due by itself: the workflow's deadline, a retry, a running attempt's
     * deadline; {@link #NEVER} when none. O(tasks).
     */
    public Instant earliestTimer() {
        Instant earliest = deadline == null ? NEVER : deadline;
        for (TaskState t : table.tasks().values()) {
            Instant due = t.status() == TaskStatus.RETRYING ? t.retryAt()
                    : t.status() == TaskStatus.RUNNING ? t.deadline() : null;
            if (due != null && due.isBefore(earliest)) {
                earliest = due;
            }
        }
        return earliest;
    }

    ExecutionState withTask(TaskState t, long newVersion) {
        ExecutionState next = withTable(table.with(t), newVersion);
        if (!fanOuts.byTask().isEmpty() && ForEachRules.isItem(t.taskId())) {
            next = ForEachEvolution.item(next, task(t.taskId()), t, newVersion); // the fan-out's counters
        }
        return next;
    }

    ExecutionState withTable(TaskTable newTable, long newVersion) {
        return new ExecutionState(executionId, workflowId, workflowVersion, status, input, output, errorType,
                errorMessage, failedTaskId, maxParallelTasks, startedAt, endedAt, deadline, newTable, newVersion,
                stateData, lineage, lastCheckpoint, flow, fanOuts, parent, signals);
    }

    ExecutionState withStatus(ExecutionStatus s, long newVersion) {
        return new ExecutionState(executionId, workflowId, workflowVersion, s, input, output, errorType, errorMessage,
                failedTaskId, maxParallelTasks, startedAt, endedAt, deadline, table, newVersion, stateData, lineage,
                lastCheckpoint, flow, fanOuts, parent, signals);
    }

    ExecutionState ended(ExecutionStatus s, JsonNode out, String type, String message, String taskId, Instant at,
            long newVersion) {
        return new ExecutionState(executionId, workflowId, workflowVersion, s, input, out, type, message, taskId,
                maxParallelTasks, startedAt, at, deadline, table, newVersion, stateData, lineage, lastCheckpoint, flow,
                fanOuts, parent, signals);
    }

    /** Running again after it ended (a re-run): no output, no error, no end, a new deadline. */
    ExecutionState reopened(Instant newDeadline, long newVersion) {
        return new ExecutionState(executionId, workflowId, workflowVersion, ExecutionStatus.RUNNING, input, null, null,
                null, null, maxParallelTasks, startedAt, null, newDeadline, table, newVersion, stateData,
                lineage.withRerun(), lastCheckpoint, flow, fanOuts, parent, signals);
    }

    ExecutionState withStateData(StateData d, long newVersion) {
        return new ExecutionState(executionId, workflowId, workflowVersion, status, input, output, errorType,
                errorMessage, failedTaskId, maxParallelTasks, startedAt, endedAt, deadline, table, newVersion, d,
                lineage, lastCheckpoint, flow, fanOuts, parent, signals);
    }

    ExecutionState withLineage(Lineage l, long newVersion) {
        return new ExecutionState(executionId, workflowId, workflowVersion, status, input, output, errorType,
                errorMessage, failedTaskId, maxParallelTasks, startedAt, endedAt, deadline, table, newVersion,
                stateData, l, lastCheckpoint, flow, fanOuts, parent, signals);
    }

    ExecutionState checkpointed(long newVersion) {
        return new ExecutionState(executionId, workflowId, workflowVersion, status, input, output, errorType,
                errorMessage, failedTaskId, maxParallelTasks, startedAt, endedAt, deadline, table, newVersion,
                stateData, lineage, newVersion, flow, fanOuts, parent, signals);
    }

    ExecutionState withFlow(Flow f, long newVersion) {
        return new ExecutionState(executionId, workflowId, workflowVersion, status, input, output, errorType,
                errorMessage, failedTaskId, maxParallelTasks, startedAt, endedAt, deadline, table, newVersion,
                stateData, lineage, lastCheckpoint, f, fanOuts, parent, signals);
    }

    ExecutionState withSignals(Signals g, long newVersion) {
        return new ExecutionState(executionId, workflowId, workflowVersion, status, input, output, errorType,
                errorMessage, failedTaskId, maxParallelTasks, startedAt, endedAt, deadline, table, newVersion,
                stateData, lineage, lastCheckpoint, flow, fanOuts, parent, g);
    }

    ExecutionState withFanOuts(FanOuts f, long newVersion) {
        return new ExecutionState(executionId, workflowId, workflowVersion, status, input, output, errorType,
                errorMessage, failedTaskId, maxParallelTasks, startedAt, endedAt, deadline, table, newVersion,
                stateData, lineage, lastCheckpoint, flow, f, parent, signals);
    }
}
