package io.harmonia.domain.execution;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.domain.definition.ErrorTypes;
import io.harmonia.domain.definition.InvalidRequest;
import io.harmonia.domain.definition.Problem;
import io.harmonia.domain.definition.TaskDefinition;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.ExecutionCommand.Rerun;
import io.harmonia.domain.execution.ExecutionCommand.Restore;
import io.harmonia.domain.execution.ExecutionCommand.UpdateState;
import io.harmonia.domain.execution.ExecutionEvent.CheckpointCreated;
import io.harmonia.domain.execution.ExecutionEvent.CheckpointRestored;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionRerun;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionStarted;
import io.harmonia.domain.execution.ExecutionEvent.RestoredFrom;
import io.harmonia.domain.execution.ExecutionEvent.StateUpdated;
import io.harmonia.domain.expression.ExpressionException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.List;
import java.util.UUID;

/**
 * The decider's rules for an execution's history: its state, checkpoints, restores and re-runs. Pure, like the
 * decider that calls it.
 *
 * <ul>
 *   <li>A task with a {@code state} mapping writes it when it completes: the mapping is resolved with the task's
 *       {@code output} (and {@code state}, {@code tasks}, {@code input}) in scope and merged into the global state
 *       (RFC 7396), right after its TaskCompleted. A mapping that fails, or a state that would grow above the limit,
 *       fails the task instead.</li>
 *   <li>State from outside (PUT, PATCH) is refused on a finished execution, and with a stale version.</li>
 *   <li>A checkpoint is taken on request (any status), after a task marked {@code checkpoint} completed, and when
 *       {@link Limits#checkpointEveryEvents()} events followed the last one (while the execution runs), or twice as
 *       many events as the execution has tasks if that is more: a snapshot grows with the tasks, so a large execution does
 *       not write a large snapshot every few hundred events (its checkpoints write about as many bytes as the events
 *       they cover, not many times more). Its id is derived from the execution and the
 *       sequence it covers.</li>
 *   <li>A restore starts a new execution with the checkpoint's COMPLETED tasks (and those SKIPPED because their
 *       condition was false) and its state; the rest runs.</li>
 *   <li>A re-run reopens a finished execution: from a task and everything downstream of it, or every failed or
 *       canceled task and what was skipped because of them.</li>
 * </ul>
 */
final class HistoryRules {

    /** A state that would grow above {@link Limits#maxStateBytes()}. */
    static final class StateTooLarge extends RuntimeException {
        StateTooLarge(String message) {
            super(message);
        }
    }

    private HistoryRules() {}

    /** The id of the checkpoint of {@code executionId} that covers events 1..{@code sequence}. */
    static String checkpointId(String executionId, long sequence) {
        return UUID.nameUUIDFromBytes(("checkpoint:" + executionId + ":" + sequence)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }

    static CheckpointCreated checkpoint(ExecutionState s, String reason, Instant now) {
        return new CheckpointCreated(checkpointId(s.executionId(), s.version()), s.version(), reason,
                ExecutionSnapshot.of(s), now);
    }

    /** At the end of a decision: a checkpoint when a task asked for one or enough events passed. */
    static void checkpointIfDue(ExecutionDecider.Decision d, Limits limits, Instant now) {
        ExecutionState s = d.state;
        if (!s.exists() || d.events.isEmpty()) {
            return;
        }
        if (d.checkpointAfter != null) {
            d.add(checkpoint(s, d.checkpointAfter, now));
        } else if (limits.checkpointEveryEvents() > 0 && !s.status().terminal()
                && s.version() - s.lastCheckpoint() >= Math.max(limits.checkpointEveryEvents(), 2L * s.tasks().size())) {
            d.add(checkpoint(s, "every_n_events", now));
        }
    }

    /** The patch a completing task's state mapping writes. */
    static JsonNode stateWrite(TaskDefinition def, JsonNode output, ExecutionDecider.Decision d, Limits limits,
            Instant now) {
        JsonNode patch = d.expressions.resolve(def.state(), ExecutionDecider.context(d.state, d.index, now,
                def.id() + ":" + d.state.task(def.id()).run() + ":state").withOutput(output));
        if (!patch.isObject()) {
            throw new ExpressionException("state", "expected the state mapping to give an object, found "
                    + patch.getNodeType());
        }
        checkSize(StateData.mergePatch(d.state.stateData().global(), patch), limits);
        return patch;
    }

    static void updateState(UpdateState c, ExecutionDecider.Decision d, Limits limits) {
        ExecutionState s = d.state;
        if (c.ifVersion() != null && c.ifVersion() != s.stateData().version()) {
            throw new StateVersionMismatch(s.executionId(), c.ifVersion(), s.stateData().version());
        }
        JsonNode next = c.replace() ? c.patch() : StateData.mergePatch(s.stateData().global(), c.patch());
        if (next == null || !next.isObject()) {
            throw new InvalidRequest("The state of an execution is a JSON object", List.of(new Problem("/state",
                    "expected the state to be an object after the update, found "
                            + (next == null ? "nothing" : next.getNodeType()))));
        }
        int size = ExecutionDecider.bytes(next);
        if (size > limits.maxStateBytes()) {
            throw new StateLimitExceeded(s.executionId(), size, limits.maxStateBytes());
        }
        d.add(new StateUpdated(null, 0, c.patch(), c.replace(), c.now()));
    }

    private static void checkSize(JsonNode state, Limits limits) {
        int size = ExecutionDecider.bytes(state);
        if (size > limits.maxStateBytes()) {
            throw new StateTooLarge("the state would be " + size + " bytes, above the limit of "
                    + limits.maxStateBytes());
        }
    }

    static void restore(Restore c, ExecutionDecider.Decision d, WorkflowDefinition wf, Limits limits) {
        if (d.state.exists()) {
            throw new CommandRejected("Expected no execution with id '" + c.executionId() + "', but one exists with"
                    + " status " + d.state.status(), d.state.status());
        }
        ExecutionSnapshot cp = c.checkpoint();
        Instant deadline = wf.timeoutMs() == null ? null : c.now().plusMillis(wf.timeoutMs());
        d.add(new ExecutionStarted(c.executionId(), wf.id(), wf.version(), cp.input(), cp.maxParallelTasks(),
                deadline, null, new RestoredFrom(cp.executionId(), c.checkpointId(), cp.version()), c.now()));
        List<TaskState> carried = new ArrayList<>();
        for (TaskState t : cp.tasks()) {
            if ((t.status() == TaskStatus.COMPLETED || (t.status() == TaskStatus.SKIPPED
                    && ExecutionDecider.CONDITION_FALSE.equals(t.errorType()))) && DagRules.carries(t, wf)) {
                carried.add(t);
            }
        }
        d.add(new CheckpointRestored(c.checkpointId(), cp.executionId(), cp.version(), carried, cp.state(),
                c.now()));
        if (d.index.stateMachine()) {
            StepRules.restore(cp, d, wf, c.now()); // one step active: the checkpoint's current one
            return;
        }
        for (int p = 0; p < d.index.size(); p++) {
            d.toDecide(p);
        }
    }

    static void rerun(Rerun c, ExecutionDecider.Decision d, WorkflowDefinition wf) {
        ExecutionState s = d.state;
        if (!s.status().terminal()) {
            throw new CommandRejected("Expected execution '" + s.executionId() + "' to be finished (COMPLETED,"
                    + " FAILED or CANCELED) to re-run it, but it is " + s.status(), s.status());
        }
        BitSet chosen = new BitSet();
        // a state machine restarts at one step: the one named, else where it ended (its steps have no dependents)
        String fromTask = c.fromTask() == null && d.index.stateMachine() ? StepRules.rerunStep(s, d.index)
                : c.fromTask();
        if (fromTask != null) {
            int from = d.index.position(fromTask);
            if (from < 0) {
                List<String> known = new ArrayList<>();
                for (int p = 0; p < d.index.size() && p < 50; p++) {
                    known.add(d.index.task(p).id());
                }
                throw new InvalidRequest("Unknown task to re-run from", List.of(new Problem("/from_task",
                        "expected a task of workflow '" + wf.id() + "' version " + wf.version() + ", found '"
                                + c.fromTask() + "'; its tasks are " + known)));
            }
            downstream(d.index, from, chosen);
        } else {
            for (int p = 0; p < d.index.size(); p++) {
                TaskState t = s.task(d.index.task(p).id());
                if (t.status() == TaskStatus.FAILED || t.status() == TaskStatus.CANCELED
                        || (t.status() == TaskStatus.SKIPPED && DagRules.rerunsSkipped(t.errorType()))) {
                    downstream(d.index, p, chosen);
                }
            }
            if (chosen.isEmpty()) {
                throw new CommandRejected("Expected execution '" + s.executionId() + "' to have a failed, canceled"
                        + " or skipped-because-of-a-failure task to re-run, but it has none (it is " + s.status()
                        + "); name a from_task to re-run from", s.status());
            }
        }
        DagRules.rerun(c.fromTask(), d, wf, chosen);
        List<String> tasks = new ArrayList<>(chosen.cardinality());
        for (int p = chosen.nextSetBit(0); p >= 0; p = chosen.nextSetBit(p + 1)) {
            tasks.add(d.index.task(p).id());
        }
        Instant deadline = wf.timeoutMs() == null ? null : c.now().plusMillis(wf.timeoutMs());
        d.add(new ExecutionRerun(c.fromTask(), tasks, deadline, c.now()));
        for (int p = chosen.nextSetBit(0); p >= 0; p = chosen.nextSetBit(p + 1)) {
            d.toDecide(p);
        }
    }

    /** {@code from} and every task downstream of it, into {@code out}. */
    private static void downstream(WorkflowIndex index, int from, BitSet out) {
        Deque<Integer> todo = new ArrayDeque<>();
        todo.add(from);
        while (!todo.isEmpty()) {
            int p = todo.poll();
            if (!out.get(p)) {
                out.set(p);
                for (int dep : index.dependents(p)) {
                    todo.add(dep);
                }
            }
        }
    }
}
