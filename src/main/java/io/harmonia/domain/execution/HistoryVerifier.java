package io.harmonia.domain.execution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.domain.definition.ErrorTypes;
import io.harmonia.domain.definition.RetryPolicy;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.ExecutionCommand.Cancel;
import io.harmonia.domain.execution.ExecutionCommand.Checkpoint;
import io.harmonia.domain.execution.ExecutionCommand.CompleteTask;
import io.harmonia.domain.execution.ExecutionCommand.FailTask;
import io.harmonia.domain.execution.ExecutionCommand.Pause;
import io.harmonia.domain.execution.ExecutionCommand.RecordDerived;
import io.harmonia.domain.execution.ExecutionCommand.Recover;
import io.harmonia.domain.execution.ExecutionCommand.Rerun;
import io.harmonia.domain.execution.ExecutionCommand.Restore;
import io.harmonia.domain.execution.ExecutionCommand.Resume;
import io.harmonia.domain.execution.ExecutionCommand.Signal;
import io.harmonia.domain.execution.ExecutionCommand.Start;
import io.harmonia.domain.execution.ExecutionCommand.TimeOutExecution;
import io.harmonia.domain.execution.ExecutionCommand.TimeOutTask;
import io.harmonia.domain.execution.ExecutionCommand.UpdateState;
import io.harmonia.domain.execution.ExecutionCommand.WakeUp;
import io.harmonia.domain.execution.ExecutionEvent.CheckpointCreated;
import io.harmonia.domain.execution.ExecutionEvent.CheckpointRestored;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionCanceled;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionDerived;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionFailed;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionPaused;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionRerun;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionResumed;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionStarted;
import io.harmonia.domain.execution.ExecutionEvent.SignalReceived;
import io.harmonia.domain.execution.ExecutionEvent.StateUpdated;
import io.harmonia.domain.execution.ExecutionEvent.TaskCanceled;
import io.harmonia.domain.execution.ExecutionEvent.TaskCompleted;
import io.harmonia.domain.execution.ExecutionEvent.TaskFailed;
import io.harmonia.domain.execution.ExecutionEvent.TaskRetryScheduled;
import io.harmonia.domain.execution.ExecutionEvent.TaskSkipped;
import io.harmonia.domain.execution.ExecutionEvent.TaskStarted;
import io.harmonia.domain.execution.ExecutionEvent.TaskTimedOut;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * "Would today's engine make the same decisions?": folds a stored history and, at each decision in it, decides again
 * with today's decider and compares. Pure: the events, the workflow definition and the decider come in, a report
 * goes out.
 *
 * <p>Events are not commands: the command a decision answered is inferred from the decision's first event (an
 * ExecutionStarted answered a Start, or a Restore when a CheckpointRestored follows; a TaskCompleted a CompleteTask;
 * a TaskRetryScheduled or TaskFailed a FailTask; a TaskTimedOut a TimeOutTask; a TaskStarted of a task that was
 * RUNNING a Recover, of any other a WakeUp; a SignalReceived a Signal, from outside, never part of another decision;
 * ... see {@link #infer}). The decider decides that command on the state
 * folded so far, and its events must equal the stored ones that follow; the next decision begins right after them.
 * One append may hold several decisions in a row (an inline task's result is decided in the same transaction as its
 * start); a decision that continues at the same instant must then be such a task result.
 *
 * <p>What is not stored is inferred, and so cannot diverge:
 * <ul>
 *   <li>retry jitter: the random number of a retry is solved back from its {@code due_at} and the task's retry policy
 *       (the smallest number giving that delay); a {@code due_at} outside the policy's range diverges;</li>
 *   <li>whether a failure was retriable: a TaskRetryScheduled is checked as a retriable failure, a TaskFailed of an
 *       attempt as a non-retriable one (a policy that would now retry an error that then failed for good is not
 *       detected);</li>
 *   <li>the tasks a Recover kept (those still RUNNING that it did not start again).</li>
 * </ul>
 * Compared: every field of every event as stored (through {@code form}, the event's stored JSON), except
 * {@code message}: messages are for people and may be reworded; the error types are the decisions.
 */
public final class HistoryVerifier {

    /** The first event where today's engine decides otherwise. {@code stored} or {@code decided} may be null. */
    public record Divergence(long sequence, ExecutionEvent stored, ExecutionEvent decided, String reason) {}

    /** The outcome: {@code events} stored, {@code decisions} decided again; no divergence when they are the same. */
    public record Report(int events, int decisions, Divergence divergence) {
        public boolean same() {
            return divergence == null;
        }
    }

    private record Inferred(ExecutionCommand command, String reason) {
        static Inferred of(ExecutionCommand command) {
            return new Inferred(command, null);
        }

        static Inferred none(String reason) {
            return new Inferred(null, reason);
        }
    }

    private final ExecutionDecider decider;
    private final Function<ExecutionEvent, JsonNode> form;

    /**
     * @param form an event as it is stored (its JSON payload): what is compared
     */
    public HistoryVerifier(ExecutionDecider decider, Function<ExecutionEvent, JsonNode> form) {
        this.decider = decider;
        this.form = form;
    }

    /** Verifies one execution's whole history ({@code events.get(i)} is sequence {@code i + 1}). */
    public Report verify(List<ExecutionEvent> events, WorkflowDefinition wf) {
        ExecutionState state = ExecutionState.initial();
        int i = 0;
        int decisions = 0;
        Instant lastAt = null;
        while (i < events.size()) {
            ExecutionEvent first = events.get(i);
            Inferred inferred = infer(events, i, state, wf);
            if (inferred.command() == null) {
                return diverged(events, decisions, i, first, null, inferred.reason());
            }
            ExecutionCommand command = inferred.command();
            if (first.at().equals(lastAt) && !(command instanceof CompleteTask || command instanceof FailTask
                    || command instanceof Signal)) {
                return diverged(events, decisions, i, first, null, "the stored decision goes on with "
                        + name(first) + " at the same instant, but today's engine ended it at sequence " + i
                        + " (only an inline task's result is decided in the same append)");
            }
            List<ExecutionEvent> decided;
            try {
                decided = decider.decide(command, state, wf);
            } catch (RuntimeException e) {
                return diverged(events, decisions, i, first, null, "today's engine refuses " + describe(command)
                        + ": " + e.getMessage());
            }
            decisions++;
            if (decided.isEmpty()) {
                return diverged(events, decisions, i, first, null, "today's engine decides nothing for "
                        + describe(command) + " on the state after sequence " + i);
            }
            for (int k = 0; k < decided.size(); k++) {
                int at = i + k;
                ExecutionEvent mine = decided.get(k);
                if (at >= events.size()) {
                    return diverged(events, decisions, at, null, mine, "today's engine decides " + name(mine)
                            + " after the last stored event, answering " + describe(command) + " at sequence "
                            + (i + 1));
                }
                ExecutionEvent stored = events.get(at);
                JsonNode s = comparable(stored);
                JsonNode d = comparable(mine);
                if (!s.equals(d)) {
                    return diverged(events, decisions, at, stored, mine, difference(stored, mine, s, d, state, wf)
                            + "; answering " + describe(command) + " at sequence " + (i + 1));
                }
            }
            state = ExecutionEvolver.fold(state, events.subList(i, i + decided.size()));
            i += decided.size();
            lastAt = events.get(i - 1).at();
        }
        return new Report(events.size(), decisions, null);
    }

    // ---- which command a decision answered ----

    private Inferred infer(List<ExecutionEvent> events, int i, ExecutionState state, WorkflowDefinition wf) {
        ExecutionEvent e = events.get(i);
        if (e instanceof ExecutionStarted s) {
            if (s.restoredFrom() == null) {
                return Inferred.of(new Start(s.executionId(), s.input(), s.replayOf(), s.parent(), s.at()));
            }
            if (i + 1 >= events.size() || !(events.get(i + 1) instanceof CheckpointRestored r)) {
                return Inferred.none("a restored ExecutionStarted (restored_from " + s.restoredFrom()
                        + ") must be followed by its CheckpointRestored, found "
                        + (i + 1 < events.size() ? name(events.get(i + 1)) : "nothing"));
            }
            // the checkpoint as the restore read it: what CheckpointRestored recorded of it
            ExecutionSnapshot checkpoint = new ExecutionSnapshot(r.sourceExecutionId(), s.workflowId(),
                    s.workflowVersion(), ExecutionStatus.RUNNING, s.input(), null, null, null, null,
                    s.maxParallelTasks(), null, null, null, r.tasks(), r.state(), Lineage.NONE, 0, r.sequence(), null,
                    null, null, null);
            return Inferred.of(new Restore(s.executionId(), r.checkpointId(), checkpoint, s.at()));
        }
        if (e instanceof TaskCompleted c) {
            return Inferred.of(new CompleteTask(c.taskId(), c.run(), c.attempt(), c.output(), c.at()));
        }
        if (e instanceof TaskRetryScheduled r) {
            Double random = jitter(wf, r);
            return random == null ? Inferred.none("task '" + r.taskId() + "' is not in workflow '" + wf.id()
                    + "' version " + wf.version())
                    : Inferred.of(new FailTask(r.taskId(), r.run(), r.failedAttempt(), r.errorType(), r.message(),
                            true, random, r.at()));
        }
        if (e instanceof TaskFailed f) {
            return Inferred.of(new FailTask(f.taskId(), f.run(), f.attempt(), f.errorType(), f.message(), false, 0,
                    f.at()));
        }
        if (e instanceof TaskTimedOut t) {
            double random = 0;
            if (i + 1 < events.size() && events.get(i + 1) instanceof TaskRetryScheduled r
                    && r.taskId().equals(t.taskId())) {
                Double solved = jitter(wf, r);
                random = solved == null ? 0 : solved;
            }
            return Inferred.of(new TimeOutTask(t.taskId(), t.run(), t.attempt(), random, t.at()));
        }
        if (e instanceof TaskStarted s) {
            if (state.task(s.taskId()).status() != TaskStatus.RUNNING) {
                return Inferred.of(new WakeUp(s.at()));
            }
            // attempts lost with their driver are started again; the running tasks it did not restart were kept
            Set<String> restarted = new HashSet<>();
            for (int j = i; j < events.size() && events.get(j) instanceof TaskStarted n && n.at().equals(s.at());
                    j++) {
                restarted.add(n.taskId());
            }
            Set<String> keep = new HashSet<>();
            for (TaskState t : state.tasks().values()) {
                if (t.status() == TaskStatus.RUNNING && !restarted.contains(t.taskId())) {
                    keep.add(t.taskId());
                }
            }
            return Inferred.of(new Recover(keep, s.at()));
        }
        if (e instanceof TaskCanceled c) {
            return endedEarly(events, i, c.reason(), c.at());
        }
        if (e instanceof TaskSkipped s && (ExecutionDecider.EXECUTION_CANCELED.equals(s.reason())
                || ExecutionDecider.EXECUTION_TIMED_OUT.equals(s.reason()))) {
            return endedEarly(events, i, s.reason(), s.at());
        }
        if (e instanceof ExecutionFailed f && ErrorTypes.TIMEOUT.equals(f.errorType()) && f.taskId() == null) {
            return Inferred.of(new TimeOutExecution(f.at()));
        }
        if (e instanceof ExecutionPaused p) {
            return Inferred.of(new Pause(p.reason(), p.at()));
        }
        if (e instanceof ExecutionResumed r) {
            return Inferred.of(new Resume(r.at()));
        }
        if (e instanceof ExecutionCanceled c) {
            return Inferred.of(new Cancel(c.reason(), c.at()));
        }
        if (e instanceof StateUpdated u && u.taskId() == null) {
            return Inferred.of(new UpdateState(u.patch(), u.replace(), null, u.at()));
        }
        if (e instanceof SignalReceived s) {
            return Inferred.of(new Signal(s.name(), s.signalId(), s.payload(), s.source(), s.at()));
        }
        if (e instanceof CheckpointCreated c && "request".equals(c.reason())) {
            return Inferred.of(new Checkpoint(c.at()));
        }
        if (e instanceof ExecutionRerun r) {
            return Inferred.of(new Rerun(r.fromTask(), r.at()));
        }
        if (e instanceof ExecutionDerived d) {
            return Inferred.of(new RecordDerived(d.relation(), d.executionId(), d.checkpointId(), d.at()));
        }
        return Inferred.none("no command of today's engine begins a decision with " + name(e)
                + " (the decision before it, at sequence " + i + ", should have made it)");
    }

    /** Tasks ended before their execution: a Cancel (its reason from the ExecutionCanceled) or a TimeOutExecution. */
    private static Inferred endedEarly(List<ExecutionEvent> events, int i, String reason, Instant at) {
        if (ExecutionDecider.EXECUTION_TIMED_OUT.equals(reason)) {
            return Inferred.of(new TimeOutExecution(at));
        }
        if (ExecutionDecider.EXECUTION_CANCELED.equals(reason)) {
            for (int j = i + 1; j < events.size(); j++) {
                if (events.get(j) instanceof ExecutionCanceled c) {
                    return Inferred.of(new Cancel(c.reason(), at));
                }
            }
            return Inferred.none("tasks were canceled with their execution, but no ExecutionCanceled follows");
        }
        return Inferred.none("no command of today's engine begins a decision with a task ended for '" + reason
                + "'");
    }

    /**
     * The random number that gives this retry its delay under the task's policy (the smallest that does), or the
     * largest when the delay is above the policy's range; null for a task the workflow does not have.
     */
    static Double jitter(WorkflowDefinition wf, TaskRetryScheduled r) {
        RetryPolicy policy = policy(wf, r.taskId());
        if (policy == null) {
            return null;
        }
        long target = Duration.between(r.at(), r.dueAt()).toMillis();
        if (policy.delayMs(r.failedAttempt(), 0) >= target) {
            return 0.0;
        }
        double lo = 0;
        double hi = 1;
        for (int n = 0; n < 64; n++) { // delayMs is non-decreasing in random: bisect to the smallest that reaches it
            double mid = (lo + hi) / 2;
            if (policy.delayMs(r.failedAttempt(), mid) >= target) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return hi < 1 ? hi : Math.nextDown(1.0);
    }

    private static RetryPolicy policy(WorkflowDefinition wf, String taskId) {
        WorkflowIndex index = WorkflowIndex.of(wf);
        String id = ForEachRules.isItem(taskId) ? ForEachRules.taskOf(taskId) : taskId; // an item: its task's policy
        return index.position(id) < 0 ? null : index.task(id, wf).retry();
    }

    // ---- comparing ----

    private JsonNode comparable(ExecutionEvent e) {
        JsonNode n = form.apply(e);
        if (n instanceof ObjectNode o && o.has("message")) {
            ObjectNode copy = o.deepCopy();
            copy.remove("message");
            return copy;
        }
        return n;
    }

    private static String difference(ExecutionEvent stored, ExecutionEvent decided, JsonNode s, JsonNode d,
            ExecutionState state, WorkflowDefinition wf) {
        if (stored.getClass() != decided.getClass()) {
            return "stored " + name(stored) + ", but today's engine decides " + name(decided);
        }
        Set<String> fields = new TreeSet<>();
        s.fieldNames().forEachRemaining(fields::add);
        d.fieldNames().forEachRemaining(fields::add);
        String field = fields.stream().filter(f -> !s.path(f).equals(d.path(f))).findFirst().orElse("?");
        String out = name(stored) + " differs in '" + field + "': stored " + shorten(s.path(field)) + ", decided "
                + shorten(d.path(field));
        if (stored instanceof TaskRetryScheduled r && "due_at".equals(field)) {
            RetryPolicy p = policy(wf, r.taskId());
            out += " (the retry policy of task '" + r.taskId() + "' allows " + p.delayMs(r.failedAttempt(), 0)
                    + " to " + p.delayMs(r.failedAttempt(), Math.nextDown(1.0)) + " ms after attempt "
                    + r.failedAttempt() + "; the stored delay is " + Duration.between(r.at(), r.dueAt()).toMillis()
                    + " ms)";
        }
        return out;
    }

    private static String shorten(JsonNode n) {
        String s = n.isMissingNode() ? "nothing" : n.toString();
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    private static String name(ExecutionEvent e) {
        return e.getClass().getSimpleName();
    }

    private static String describe(ExecutionCommand c) {
        String name = c.getClass().getSimpleName();
        if (c instanceof CompleteTask t) {
            return name + " of task '" + t.taskId() + "' run " + t.run() + " attempt " + t.attempt();
        }
        if (c instanceof FailTask t) {
            return name + " of task '" + t.taskId() + "' run " + t.run() + " attempt " + t.attempt()
                    + (t.retriable() ? " (retriable)" : " (not retriable)");
        }
        if (c instanceof TimeOutTask t) {
            return name + " of task '" + t.taskId() + "' run " + t.run() + " attempt " + t.attempt();
        }
        if (c instanceof Recover r) {
            Iterator<String> it = new TreeSet<>(r.keep()).iterator();
            StringBuilder kept = new StringBuilder();
            while (it.hasNext()) {
                kept.append(kept.length() == 0 ? "" : ", ").append(it.next());
            }
            return name + " (keeping [" + kept + "])";
        }
        return name;
    }

    private static Report diverged(List<ExecutionEvent> events, int decisions, int index, ExecutionEvent stored,
            ExecutionEvent decided, String reason) {
        return new Report(events.size(), decisions, new Divergence(index + 1L, stored, decided, reason));
    }
}
