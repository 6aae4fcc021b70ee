package io.harmonia.domain.execution;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.domain.execution.ExecutionEvent.CheckpointCreated;
import io.harmonia.domain.execution.ExecutionEvent.CheckpointRestored;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionCanceled;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionDerived;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionRerun;
import io.harmonia.domain.execution.ExecutionEvent.StateUpdated;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionCompleted;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionFailed;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionPaused;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionResumed;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionStarted;
import io.harmonia.domain.execution.ExecutionEvent.TaskCanceled;
import io.harmonia.domain.execution.ExecutionEvent.TaskCompleted;
import io.harmonia.domain.execution.ExecutionEvent.TaskFailed;
import io.harmonia.domain.execution.ExecutionEvent.TaskRetryScheduled;
import io.harmonia.domain.execution.ExecutionEvent.TaskScheduled;
import io.harmonia.domain.execution.ExecutionEvent.TaskSkipped;
import io.harmonia.domain.execution.ExecutionEvent.TaskStarted;
import io.harmonia.domain.execution.ExecutionEvent.TaskTimedOut;
import java.util.List;

/** {@code evolve(state, event) -> state}: the only place execution state changes. Pure. */
public final class ExecutionEvolver {

    private ExecutionEvolver() {}

    public static ExecutionState evolve(ExecutionState s, ExecutionEvent event) {
        long v = s.version() + 1;
        // Java 17: no pattern switch yet; ExecutionEvolverTest proves every permitted event type is handled.
        if (event instanceof ExecutionStarted e) {
            return new ExecutionState(e.executionId(), e.workflowId(), e.workflowVersion(), ExecutionStatus.RUNNING,
                    e.input(), null, null, null, null, e.maxParallelTasks(), e.at(), null, e.deadline(), TaskTable.EMPTY, v,
                    StateData.EMPTY, Lineage.NONE.withOrigin(e.replayOf(), e.restoredFrom()), 0, Flow.NONE, FanOuts.NONE,
                    e.parent(), Signals.NONE);
        } else if (event instanceof TaskScheduled e) {
            return s.withTask(s.task(e.taskId()).scheduled(e.run(), e.input(), e.at()), v);
        } else if (event instanceof TaskStarted e) {
            return s.withTask(s.task(e.taskId()).started(e.attempt(), e.deadline(), e.at()), v);
        } else if (event instanceof TaskCompleted e) {
            TaskState t = s.task(e.taskId());
            // a for_each task completes without its output in the event: the list of its items' outputs, assembled here
            JsonNode output = t.status() == TaskStatus.FANNED_OUT && (e.output() == null || e.output().isNull())
                    ? ForEachEvolution.outputs(s, e.taskId()) : e.output();
            return s.withTask(t.completed(output, e.at()), v);
        } else if (event instanceof TaskFailed e) {
            return s.withTask(s.task(e.taskId()).failed(e.run(), e.attempt(), e.errorType(), e.message(), e.at()), v);
        } else if (event instanceof TaskRetryScheduled e) {
            return s.withTask(s.task(e.taskId()).retrying(e.errorType(), e.message(), e.dueAt()), v);
        } else if (event instanceof TaskSkipped e) {
            return s.withTask(s.task(e.taskId()).skipped(e.run(), e.reason(), e.at()), v);
        } else if (event instanceof TaskCanceled e) {
            return s.withTask(s.task(e.taskId()).canceled(e.reason(), e.message(), e.at()), v);
        } else if (event instanceof TaskTimedOut e) {
            return s.withTask(s.task(e.taskId()).timedOut(), v);
        } else if (event instanceof ExecutionPaused) {
            return s.withStatus(ExecutionStatus.PAUSED, v);
        } else if (event instanceof ExecutionResumed) {
            return s.withStatus(ExecutionStatus.RUNNING, v);
        } else if (event instanceof ExecutionCanceled e) {
            return s.ended(ExecutionStatus.CANCELED, null, "CANCELED", e.reason(), null, e.at(), v);
        } else if (event instanceof ExecutionCompleted e) {
            return s.ended(ExecutionStatus.COMPLETED, e.output(), null, null, null, e.at(), v);
        } else if (event instanceof ExecutionFailed e) {
            return s.ended(ExecutionStatus.FAILED, null, e.errorType(), e.message(), e.taskId(), e.at(), v);
        } else if (event instanceof StateUpdated e) {
            return s.withStateData(s.stateData().updated(e.taskId(), e.patch(), e.replace()), v);
        } else if (event instanceof CheckpointCreated) {
            return s.checkpointed(v);
        } else if (event instanceof CheckpointRestored e) {
            TaskTable table = s.table();
            for (TaskState t : e.tasks()) {
                table = table.with(t);
            }
            return s.withTable(table, v).withStateData(e.state(), v);
        } else if (event instanceof ExecutionRerun e) {
            TaskTable table = s.table();
            for (String id : e.tasks()) {
                table = table.with(s.task(id).rerun());
            }
            return s.withTable(table, v).reopened(e.deadline(), v);
        } else if (event instanceof ExecutionEvent.TransitionTaken e) {
            return s.withFlow(s.flow().with(e), v);
        } else if (event instanceof ExecutionEvent.ForEachExpanded e) {
            return ForEachEvolution.expanded(s, e, v);
        } else if (event instanceof ExecutionEvent.SignalReceived e) {
            return s.withSignals(s.signals().with(e), v);
        } else if (event instanceof ExecutionEvent.SignalConsumed e) {
            return s.withSignals(s.signals().consumed(e), v);
        } else if (event instanceof ExecutionDerived e) {
            return s.withLineage(s.lineage().withDerived(new Lineage.Link(e.relation(), e.executionId(),
                    e.checkpointId(), e.at())), v);
        }
        throw new IllegalArgumentException("Expected a known execution event type, found "
                + event.getClass().getName());
    }

    public static ExecutionState fold(ExecutionState s, List<? extends ExecutionEvent> events) {
        ExecutionState state = s;
        for (ExecutionEvent e : events) {
            state = evolve(state, e);
        }
        return state;
    }
}
