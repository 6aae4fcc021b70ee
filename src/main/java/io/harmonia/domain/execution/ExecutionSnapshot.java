package io.harmonia.domain.execution;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An {@link ExecutionState} as plain data, for a checkpoint: {@link #of} and {@link #toState} are inverse
 * ({@code of(s).toState().equals(s)}, which ExecutionSnapshotTest proves). Tasks are listed by id, except the
 * SCHEDULED ones, which come last in the order they became SCHEDULED (that order decides which starts first).
 *
 * @param version the stream version the snapshot was taken at (the checkpoint's {@code sequence})
 */
public record ExecutionSnapshot(
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
        List<TaskState> tasks,
        StateData state,
        Lineage lineage,
        long lastCheckpoint,
        long version,
        Flow flow,
        FanOuts fanOuts,
        ParentLink parent,
        Signals signals) {

    public ExecutionSnapshot {
        // JSON null reads back as a NullNode: normalized to null, as the events leave it, so that a snapshot read
        // back folds to a state equal to the one it was taken of
        input = orNull(input);
        output = orNull(output);
        tasks = tasks == null ? List.of() : tasks.stream().map(ExecutionSnapshot::normalized).toList();
        state = state == null ? StateData.EMPTY : state;
        lineage = lineage == null ? Lineage.NONE : lineage;
        flow = flow == null ? Flow.NONE : flow;
        fanOuts = fanOuts == null ? FanOuts.NONE : fanOuts;
        signals = signals == null ? Signals.NONE : signals;
    }

    private static JsonNode orNull(JsonNode n) {
        return n == null || n.isNull() ? null : n;
    }

    private static TaskState normalized(TaskState t) {
        if ((t.input() == null || !t.input().isNull()) && (t.output() == null || !t.output().isNull())) {
            return t;
        }
        return new TaskState(t.taskId(), t.status(), t.run(), t.attempt(), orNull(t.input()), orNull(t.output()),
                t.errorType(), t.errorMessage(), t.scheduledAt(), t.firstStartedAt(), t.startedAt(), t.endedAt(),
                t.deadline(), t.retryAt());
    }

    public static ExecutionSnapshot of(ExecutionState s) {
        List<String> ready = s.table().ready(Integer.MAX_VALUE);
        Set<String> readySet = new HashSet<>(ready);
        List<TaskState> tasks = new ArrayList<>(s.tasks().size());
        s.tasks().values().stream().filter(t -> !readySet.contains(t.taskId()))
                .sorted(Comparator.comparing(TaskState::taskId)).forEach(tasks::add);
        ready.forEach(id -> tasks.add(s.task(id)));
        return new ExecutionSnapshot(s.executionId(), s.workflowId(), s.workflowVersion(), s.status(), s.input(),
                s.output(), s.errorType(), s.errorMessage(), s.failedTaskId(), s.maxParallelTasks(), s.startedAt(),
                s.endedAt(), s.deadline(), tasks, s.stateData(), s.lineage(), s.lastCheckpoint(), s.version(),
                s.flow(), s.fanOuts(), s.parent(), s.signals());
    }

    public ExecutionState toState() {
        TaskTable table = TaskTable.EMPTY;
        for (TaskState t : tasks) {
            table = table.with(t);
        }
        return new ExecutionState(executionId, workflowId, workflowVersion, status, input, output, errorType,
                errorMessage, failedTaskId, maxParallelTasks, startedAt, endedAt, deadline, table, version, state,
                lineage, lastCheckpoint, flow, fanOuts, parent, signals);
    }
}
