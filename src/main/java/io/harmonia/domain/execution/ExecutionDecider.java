package io.harmonia.domain.execution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.domain.definition.DefinitionValidator;
import io.harmonia.domain.definition.ErrorTypes;
import io.harmonia.domain.definition.TaskDefinition;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.ExecutionCommand.Cancel;
import io.harmonia.domain.execution.ExecutionCommand.ChildFinished;
import io.harmonia.domain.execution.ExecutionCommand.Checkpoint;
import io.harmonia.domain.execution.ExecutionCommand.RecordDerived;
import io.harmonia.domain.execution.ExecutionCommand.Rerun;
import io.harmonia.domain.execution.ExecutionCommand.Restore;
import io.harmonia.domain.execution.ExecutionCommand.UpdateState;
import io.harmonia.domain.execution.ExecutionCommand.CompleteTask;
import io.harmonia.domain.execution.ExecutionCommand.FailTask;
import io.harmonia.domain.execution.ExecutionCommand.Pause;
import io.harmonia.domain.execution.ExecutionCommand.Recover;
import io.harmonia.domain.execution.ExecutionCommand.Resume;
import io.harmonia.domain.execution.ExecutionCommand.Start;
import io.harmonia.domain.execution.ExecutionCommand.TimeOutExecution;
import io.harmonia.domain.execution.ExecutionCommand.TimeOutTask;
import io.harmonia.domain.execution.ExecutionCommand.WakeUp;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionCanceled;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionCompleted;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionDerived;
import io.harmonia.domain.execution.ExecutionEvent.StateUpdated;
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
import io.harmonia.domain.expression.EvaluationContext;
import io.harmonia.domain.expression.ExpressionEngine;
import io.harmonia.domain.expression.ExpressionException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * {@code decide(command, state) -> events}: every rule of how an execution runs, and nothing else. Pure: no IO, no
 * clock, no randomness; the workflow definition, the time and random numbers come in with the call.
 *
 * <p>Rules, after the command's own events:
 * <ol>
 *   <li>A PENDING task whose dependencies are all COMPLETED or SKIPPED (for its condition) is decided: its condition
 *       false makes it SKIPPED ({@code CONDITION_FALSE}); otherwise its input is resolved and it is SCHEDULED.
 *       A task downstream of a FAILED task, or of a task skipped for that reason, is SKIPPED with
 *       {@code UPSTREAM_FAILED}. Independent branches keep running. A task's {@code run_if} may say otherwise, and
 *       error handler tasks run only for a failure (see {@link DagRules}).</li>
 *   <li>Unless the execution is PAUSED, due retries (in definition order) and then SCHEDULED tasks (in the order
 *       they became SCHEDULED: definition order among tasks decided together) start while fewer than
 *       {@code maxParallelTasks} run.</li>
 *   <li>When every task is COMPLETED, SKIPPED or FAILED the execution ends: FAILED (with the first failed task's
 *       error) if any task failed, else COMPLETED with the output mapping evaluated.</li>
 *   <li>When the execution ends early (canceled, or its workflow timeout passed), every task not yet final ends
 *       with it, just before the final event: SCHEDULED, RUNNING and RETRYING tasks are CANCELED
 *       ({@link TaskCanceled}), PENDING ones SKIPPED, with the reason {@code EXECUTION_CANCELED} or
 *       {@code EXECUTION_TIMED_OUT}.</li>
 * </ol>
 *
 * <p>Cost: a decision looks only at the tasks it touches (the dependents of tasks that became final, the tasks it
 * starts), through {@link WorkflowIndex} and the counts in {@link TaskTable}; it never scans every task, except once
 * when the execution ends. Expressions see the other tasks through a map that builds each task's view on demand.
 */
public final class ExecutionDecider {

    public static final String CONDITION_FALSE = "CONDITION_FALSE";
    /** Why a DAG task was skipped: its {@code run_if} is {@code all_succeeded} and a dependency did not complete. */
    public static final String UPSTREAM_SKIPPED = "UPSTREAM_SKIPPED";
    /** Why a DAG task was skipped: its {@code run_if} ({@code any_failed}, {@code any_succeeded}) did not hold. */
    public static final String RUN_IF_UNMET = "RUN_IF_UNMET";
    /** Why a DAG's error handler task was skipped: every other task ended and no failure needed it. */
    public static final String NOT_NEEDED = "NOT_NEEDED";
    /** Why a task ended without finishing: its execution was canceled. */
    public static final String EXECUTION_CANCELED = "EXECUTION_CANCELED";
    /** Why a task ended without finishing: its execution passed its workflow timeout. */
    public static final String EXECUTION_TIMED_OUT = "EXECUTION_TIMED_OUT";

    private final ExpressionEngine expressions;
    private final Limits limits;

    public ExecutionDecider(ExpressionEngine expressions, Limits limits) {
        this.expressions = expressions;
        this.limits = limits;
    }

    public List<ExecutionEvent> decide(ExecutionCommand command, ExecutionState state, WorkflowDefinition wf) {
        WorkflowIndex index = WorkflowIndex.of(wf);
        Decision d = new Decision(this, state, index, expressions.withSharedBudget());
        Instant now = command.now();
        if (command instanceof Start c) {
            start(c, d, wf);
        } else if (command instanceof Restore c) {
            HistoryRules.restore(c, d, wf, limits);
        } else if (command instanceof Checkpoint) {
            requireExists(state, command);
            d.add(HistoryRules.checkpoint(d.state, "request", now));
            return d.events;
        } else if (command instanceof RecordDerived c) {
            requireExists(state, command);
            d.add(new ExecutionDerived(c.relation(), c.executionId(), c.checkpointId(), now));
            return d.events;
        } else if (command instanceof Rerun c) {
            requireExists(state, command);
            HistoryRules.rerun(c, d, wf);
        } else if (command instanceof ChildFinished c) {
            requireExists(state, command);
            if (state.status().terminal()) {
                return List.of(); // a child that ends after its parent did changes nothing
            }
            ChildRules.finished(c, d, wf);
        } else {
            requireExists(state, command);
            if (state.status().terminal()) {
                if (command instanceof ExecutionCommand.Signal s && state.signals().seen(s.signalId())) {
                    return List.of(); // a retried delivery of a signal it received: recorded once, not refused
                }
                if (command instanceof Pause || command instanceof Resume || command instanceof Cancel
                        || command instanceof UpdateState || command instanceof ExecutionCommand.Signal) {
                    throw new CommandRejected("Expected execution '" + state.executionId() + "' to be RUNNING or"
                            + " PAUSED to " + verb(command) + " it, but it is " + state.status(), state.status());
                }
                return List.of(); // late results and timers of a finished execution are ignored
            }
            if (command instanceof CompleteTask c) {
                complete(c, d, wf);
            } else if (command instanceof FailTask c) {
                fail(c, d, wf);
            } else if (command instanceof TimeOutTask c) {
                timeOut(c, d, wf);
            } else if (command instanceof TimeOutExecution) {
                if (state.deadline() != null && !now.isBefore(state.deadline())) {
                    String message = "execution '" + state.executionId() + "' exceeded its workflow timeout"
                            + " (deadline " + state.deadline() + ")";
                    endTasks(d, EXECUTION_TIMED_OUT, message, now);
                    d.add(new ExecutionFailed(ErrorTypes.TIMEOUT, message, null, now));
                }
            } else if (command instanceof Pause c) {
                if (state.status() == ExecutionStatus.PAUSED) {
                    throw new CommandRejected("Expected execution '" + state.executionId() + "' to be RUNNING to"
                            + " pause it, but it is PAUSED", state.status());
                }
                d.add(new ExecutionPaused(c.reason(), now));
            } else if (command instanceof Resume) {
                if (state.status() != ExecutionStatus.PAUSED) {
                    throw new CommandRejected("Expected execution '" + state.executionId() + "' to be PAUSED to"
                            + " resume it, but it is " + state.status(), state.status());
                }
                d.add(new ExecutionResumed(now));
            } else if (command instanceof Cancel c) {
                String reason = c.reason() == null ? "canceled by request" : c.reason();
                endTasks(d, EXECUTION_CANCELED, "execution '" + state.executionId() + "' was canceled: " + reason,
                        now);
                d.add(new ExecutionCanceled(reason, now));
            } else if (command instanceof Recover r) {
                recover(d, wf, r.keep(), now);
            } else if (command instanceof UpdateState c) {
                HistoryRules.updateState(c, d, limits);
            } else if (command instanceof ExecutionCommand.Signal c) {
                SignalRules.receive(c, d, wf, limits);
            } else if (!(command instanceof WakeUp)) {
                throw new IllegalArgumentException("Expected a known command, found " + command.getClass().getName());
            }
        }
        advance(d, wf, now);
        HistoryRules.checkpointIfDue(d, limits, now);
        return d.events;
    }

    // ---- commands ----

    private void start(Start c, Decision d, WorkflowDefinition wf) {
        if (d.state.exists()) {
            throw new CommandRejected("Expected no execution with id '" + c.executionId() + "', but one exists with"
                    + " status " + d.state.status(), d.state.status());
        }
        Instant deadline = wf.timeoutMs() == null ? null : c.now().plusMillis(wf.timeoutMs());
        int maxParallel = wf.maxParallelTasks() == null ? limits.defaultMaxParallelTasks() : wf.maxParallelTasks();
        d.add(new ExecutionStarted(c.executionId(), wf.id(), wf.version(), c.input(), maxParallel, deadline,
                c.replayOf(), null, c.parent(), c.now()));
        for (int root : d.index.roots()) {
            d.toDecide(root);
        }
    }

    /** A running attempt completed: its output (size-checked) and its state mapping are recorded. */
    void complete(CompleteTask c, Decision d, WorkflowDefinition wf) {
        TaskState t = d.state.task(c.taskId());
        if (!isCurrentAttempt(t, c.run(), c.attempt())) {
            return; // late or duplicate result of an attempt that is no longer running
        }
        int size = bytes(c.output());
        if (size > limits.maxTaskOutputBytes()) {
            d.add(new TaskFailed(c.taskId(), c.run(), c.attempt(), ErrorTypes.PAYLOAD_TOO_LARGE, "output of task '"
                    + c.taskId() + "' is " + size + " bytes, above the limit of " + limits.maxTaskOutputBytes(),
                    c.now()));
            return;
        }
        TaskDefinition def = d.index.task(c.taskId(), wf);
        boolean item = ForEachRules.isItem(c.taskId()); // an item: its task maps the list once (ForEachRules)
        JsonNode patch = null;
        if (def.writesState() && !item) {
            try {
                patch = HistoryRules.stateWrite(def, c.output(), d, limits, c.now());
            } catch (ExpressionException e) {
                d.add(new TaskFailed(c.taskId(), c.run(), c.attempt(), ErrorTypes.EXPRESSION_ERROR, "state mapping of"
                        + " task '" + c.taskId() + "' failed: " + e.getMessage(), c.now()));
                return;
            } catch (HistoryRules.StateTooLarge e) {
                d.add(new TaskFailed(c.taskId(), c.run(), c.attempt(), ErrorTypes.PAYLOAD_TOO_LARGE, "state mapping"
                        + " of task '" + c.taskId() + "': " + e.getMessage(), c.now()));
                return;
            }
        }
        d.add(new TaskCompleted(c.taskId(), c.run(), c.attempt(), c.output(), c.now()));
        if (patch != null) {
            d.add(new StateUpdated(c.taskId(), c.run(), patch, false, c.now()));
        }
        if (def.checkpoint() && !item) {
            d.checkpointAfter = "task:" + c.taskId();
        }
    }

    private void fail(FailTask c, Decision d, WorkflowDefinition wf) {
        TaskState t = d.state.task(c.taskId());
        if (!isCurrentAttempt(t, c.run(), c.attempt())) {
            return;
        }
        failOrRetry(d, wf, t, c.errorType(), c.message(), c.retriable(), c.random(), c.now());
    }

    private void timeOut(TimeOutTask c, Decision d, WorkflowDefinition wf) {
        TaskState t = d.state.task(c.taskId());
        if (!isCurrentAttempt(t, c.run(), c.attempt()) || t.deadline() == null || c.now().isBefore(t.deadline())) {
            return;
        }
        d.add(new TaskTimedOut(c.taskId(), c.run(), c.attempt(), c.now()));
        failOrRetry(d, wf, t, ErrorTypes.TIMEOUT, SignalRules.timeoutMessage(d.index.task(c.taskId(), wf), t,
                c.attempt()), true, c.random(), c.now());
    }

    /** The attempt of {@code t} that runs failed: retried if its policy says so, otherwise the task FAILED. */
    void failOrRetry(Decision d, WorkflowDefinition wf, TaskState t, String type, String message,
            boolean retriable, double random, Instant now) {
        TaskDefinition def = d.index.task(t.taskId(), wf);
        if (def.retry().retries(t.attempt(), type, retriable)) {
            Instant due = now.plusMillis(def.retry().delayMs(t.attempt(), random));
            d.add(new TaskRetryScheduled(t.taskId(), t.run(), t.attempt(), type, message, due, now));
        } else {
            d.add(new TaskFailed(t.taskId(), t.run(), t.attempt(), type, message, now));
        }
    }

    private void recover(Decision d, WorkflowDefinition wf, java.util.Set<String> keep, Instant now) {
        long lost = d.state.running();
        if (lost > 0 && d.state.table().fannedOut() > 0) {
            lost -= ForEachRules.recoverItems(d, wf, keep, now); // items of a for_each: not in the definition
        }
        for (int i = 0; i < d.index.size() && lost > 0; i++) {
            TaskState t = d.state.task(d.index.task(i).id());
            if (t.status() == TaskStatus.RUNNING && keep.contains(t.taskId())) {
                lost--; // it only waits for a recorded time: its new driver waits on
            } else if (t.status() == TaskStatus.RUNNING) {
                // the attempt was lost with the process that ran it: start it again (at-least-once)
                d.add(new TaskStarted(t.taskId(), t.run(), t.attempt() + 1, deadline(d, wf, t.taskId(), now), now));
                lost--;
            }
        }
    }

    /**
     * The execution ends before its tasks do: each task not yet final ends with it (once per execution, so this
     * one looks at every task).
     */
    private void endTasks(Decision d, String reason, String message, Instant now) {
        boolean stateMachine = d.index.stateMachine();
        ForEachRules.endItems(d, reason, message, now); // items of a for_each first, then their tasks
        for (int i = 0; i < d.index.size() && d.state.table().terminal() < d.index.size(); i++) {
            TaskState t = d.state.task(d.index.task(i).id());
            if (t.status() == TaskStatus.PENDING && stateMachine) {
                continue; // a step not reached is not part of the run: nothing to end (the view shows it not reached)
            } else if (t.status() == TaskStatus.PENDING) {
                d.add(new TaskSkipped(t.taskId(), t.run() + 1, reason, now));
            } else if (!t.status().terminal()) {
                d.add(new TaskCanceled(t.taskId(), t.run(), t.attempt(), reason, message, now));
            }
        }
    }

    // ---- progress ----

    void advance(Decision d, WorkflowDefinition wf, Instant now) {
        if (d.state.status().terminal() || !d.state.exists()) {
            return;
        }
        do {
            // what the events so far lead to: for_each items to their task, a state machine's transitions and error
            // routes, a DAG's error handlers (each rule looks at every event once)
            while (d.routed < d.events.size() && !d.state.status().terminal()) {
                ExecutionEvent e = d.events.get(d.routed++);
                if (e instanceof ExecutionEvent.TaskEvent te && ForEachRules.isItem(te.taskId())) {
                    ForEachRules.after(te, d, wf, now);
                } else if (d.index.stateMachine()) {
                    StepRules.after(e, d, wf, now);
                } else {
                    DagRules.after(e, d, wf, now);
                }
            }
            if (d.state.status().terminal()) {
                return;
            }
            // rule 1: only tasks whose dependencies just changed can have become ready; lowest position first
            for (int p = d.nextToDecide(); p >= 0; p = d.nextToDecide()) {
                TaskDefinition def = d.index.task(p);
                if (d.state.task(def.id()).status() == TaskStatus.PENDING && DagRules.ready(def, d.state, wf)) {
                    decideTask(def, d, wf, now);
                }
            }
        } while (d.routed < d.events.size());
        if (d.state.status() != ExecutionStatus.PAUSED) {
            startWaiting(d, wf, now);
        }
        if (SignalRules.deliver(d, wf, now)) {
            advance(d, wf, now); // a wait that started took a signal kept for it: its completion leads on
            return;
        }
        if (d.index.stateMachine()) {
            StepRules.finishIfDone(d, wf, now);
        } else {
            DagRules.beforeFinish(d, wf, now);
            finishIfDone(d, wf, now);
        }
    }

    /** Rule 2: due retries, then SCHEDULED tasks, while slots are free. */
    private void startWaiting(Decision d, WorkflowDefinition wf, Instant now) {
        long free = d.state.maxParallelTasks() - d.state.running();
        if (free <= 0) {
            return;
        }
        if (d.state.table().retryingCount() > 0) {
            List<TaskState> due = new ArrayList<>();
            for (String id : d.state.table().retrying()) {
                TaskState t = d.state.task(id);
                if (!now.isBefore(t.retryAt())) {
                    due.add(t);
                }
            }
            due.sort(java.util.Comparator.comparingInt(t -> d.index.position(t.taskId())));
            for (int i = 0; i < due.size() && free > 0; i++, free--) {
                TaskState t = due.get(i);
                d.add(new TaskStarted(t.taskId(), t.run(), t.attempt() + 1, deadline(d, wf, t.taskId(), now), now));
            }
        }
        if (free > 0) {
            for (String id : d.state.table().ready((int) Math.min(free, Integer.MAX_VALUE))) {
                TaskState t = d.state.task(id);
                d.add(new TaskStarted(id, t.run(), t.attempt() + 1, deadline(d, wf, id, now), now));
                free--;
            }
        }
        if (free > 0 && !d.state.fanOuts().byTask().isEmpty()) {
            ForEachRules.startItems(d, wf, now, free);
        }
    }

    /**
     * Decides a PENDING task (or step) whose time has come: SKIPPED when its trigger rule or its condition says so,
     * FAILED when its input cannot be resolved, fanned out when it has for_each, otherwise SCHEDULED with its input
     * resolved. A task that control reached because of a failure sees that failure as {@code error}.
     */
    void decideTask(TaskDefinition def, Decision d, WorkflowDefinition wf, Instant now) {
        int run = d.state.task(def.id()).run() + 1;
        String skip = DagRules.skipReason(def, d.state);
        if (skip != null) {
            d.add(new TaskSkipped(def.id(), run, skip, now));
            return;
        }
        EvaluationContext ctx = context(d.state, d.index, now, def.id() + ":" + run);
        JsonNode error = d.state.flow().errorFor(def.id());
        if (error != null) {
            ctx = ctx.withError(error);
        }
        if (def.condition() != null) {
            String expr = DefinitionValidator.unwrap(def.condition());
            boolean holds;
            try {
                holds = d.expressions.test(expr, ctx);
            } catch (ExpressionException e) {
                d.add(new TaskFailed(def.id(), run, 0, ErrorTypes.EXPRESSION_ERROR, "condition of task '" + def.id()
                        + "' failed: " + e.getMessage(), now));
                return;
            }
            if (!holds) {
                d.add(new TaskSkipped(def.id(), run, CONDITION_FALSE, now));
                return;
            }
        }
        if (def.fansOut()) {
            ForEachRules.expand(def, run, ctx, d, wf, now);
            return;
        }
        JsonNode input;
        try {
            input = def.input() == null || def.input().isNull()
                    ? JsonNodeFactory.instance.objectNode() : d.expressions.resolve(def.input(), ctx);
        } catch (ExpressionException e) {
            d.add(new TaskFailed(def.id(), run, 0, ErrorTypes.EXPRESSION_ERROR, "input of task '" + def.id()
                    + "' failed: " + e.getMessage(), now));
            return;
        }
        int size = bytes(input);
        if (size > limits.maxTaskInputBytes()) {
            d.add(new TaskFailed(def.id(), run, 0, ErrorTypes.PAYLOAD_TOO_LARGE, "resolved input of task '" + def.id()
                    + "' is " + size + " bytes, above the limit of " + limits.maxTaskInputBytes(), now));
            return;
        }
        d.add(new TaskScheduled(def.id(), run, input, now));
    }

    private void finishIfDone(Decision d, WorkflowDefinition wf, Instant now) {
        if (d.state.status().terminal() || d.state.table().terminal() < d.index.size()) {
            return;
        }
        TaskState firstFailed = null; // every task is final: this scan runs once per execution
        for (TaskDefinition def : wf.tasks()) {
            TaskState t = d.state.task(def.id());
            if (!t.status().terminal()) {
                return;
            }
            if (t.status() == TaskStatus.FAILED && firstFailed == null) {
                firstFailed = t;
            }
        }
        if (firstFailed != null) {
            d.add(new ExecutionFailed(firstFailed.errorType(), "task '" + firstFailed.taskId() + "' failed: "
                    + firstFailed.errorMessage(), firstFailed.taskId(), now));
            return;
        }
        JsonNode output = NullNode.getInstance();
        if (wf.output() != null && !wf.output().isNull()) {
            try {
                output = d.expressions.resolve(wf.output(), context(d.state, d.index, now, "output"));
            } catch (ExpressionException e) {
                d.add(new ExecutionFailed(ErrorTypes.EXPRESSION_ERROR, "output mapping of execution '"
                        + d.state.executionId() + "' failed: " + e.getMessage(), null, now));
                return;
            }
        }
        d.add(new ExecutionCompleted(output, now));
    }

    // ---- helpers ----

    /** The expression context for an execution: {@code input}, {@code tasks}, {@code execution}, {@code state}. */
    public static EvaluationContext context(ExecutionState s, WorkflowDefinition wf, Instant now, String site) {
        return context(s, WorkflowIndex.of(wf), now, site);
    }

    static EvaluationContext context(ExecutionState s, WorkflowIndex index, Instant now, String site) {
        EvaluationContext ctx = new EvaluationContext(s.input() == null ? NullNode.getInstance() : s.input(),
                new TaskViews(s, index), s.executionId(), s.workflowId(), s.startedAt(), s.stateData().global(), now,
                s.executionId() + ":" + site);
        return s.signals().latest().isEmpty() ? ctx : ctx.withSignals(s.signals().view());
    }

    /** What an expression sees of one task: {@code {"output": ..., "status": ..., "error": ..., "state": ...}}. */
    static ObjectNode taskView(TaskState t, JsonNode taskState) {
        ObjectNode view = JsonNodeFactory.instance.objectNode();
        view.set("state", taskState == null ? JsonNodeFactory.instance.objectNode() : taskState);
        view.set("output", t.output() == null ? NullNode.getInstance() : t.output());
        view.put("status", t.status().external());
        if (t.errorType() != null && (t.status() == TaskStatus.FAILED || t.status() == TaskStatus.RETRYING)) {
            view.putObject("error").put("type", t.errorType()).put("message", t.errorMessage());
        } else {
            view.putNull("error");
        }
        return view;
    }

    /**
     * Every task of the workflow, in definition order, each view built when it is first read: an expression that
     * reads one task costs O(1), not O(tasks). Read-only.
     */
    static final class TaskViews extends AbstractMap<String, JsonNode> {
        private final ExecutionState state;
        private final WorkflowIndex index;
        private final Map<Integer, JsonNode> built = new java.util.HashMap<>();

        TaskViews(ExecutionState state, WorkflowIndex index) {
            this.state = state;
            this.index = index;
        }

        @Override
        public int size() {
            return index.size();
        }

        @Override
        public boolean containsKey(Object key) {
            return key instanceof String id && index.position(id) >= 0;
        }

        @Override
        public JsonNode get(Object key) {
            return key instanceof String id ? view(index.position(id)) : null;
        }

        private JsonNode view(int p) {
            if (p < 0) {
                return null;
            }
            return built.computeIfAbsent(p, q -> {
                String id = index.task(q).id();
                return taskView(state.task(id), state.stateData().task(id));
            });
        }

        @Override
        public Set<Entry<String, JsonNode>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Entry<String, JsonNode>> iterator() {
                    return new Iterator<>() {
                        int next = 0;

                        @Override
                        public boolean hasNext() {
                            return next < index.size();
                        }

                        @Override
                        public Entry<String, JsonNode> next() {
                            if (!hasNext()) {
                                throw new java.util.NoSuchElementException();
                            }
                            int p = next++;
                            return new SimpleImmutableEntry<>(index.task(p).id(), view(p));
                        }
                    };
                }

                @Override
                public int size() {
                    return index.size();
                }
            };
        }
    }

    static boolean isCurrentAttempt(TaskState t, int run, int attempt) {
        return t.status() == TaskStatus.RUNNING && t.run() == run && t.attempt() == attempt;
    }

    static Instant deadline(Decision d, WorkflowDefinition wf, String taskId, Instant now) {
        TaskDefinition def = d.index.task(taskId, wf);
        Long timeout = def.timeoutMs();
        Instant deadline = timeout == null ? null : now.plusMillis(timeout);
        return SignalRules.deadline(def, d.state.task(taskId), deadline, now); // a wait's own timeout_ms
    }

    private static void requireExists(ExecutionState s, ExecutionCommand c) {
        if (!s.exists()) {
            throw new IllegalStateException("Expected an existing execution for " + c.getClass().getSimpleName()
                    + ", but the stream is empty");
        }
    }

    private static String verb(ExecutionCommand c) {
        if (c instanceof UpdateState) {
            return "update the state of";
        }
        return c.getClass().getSimpleName().toLowerCase();
    }

    Limits limits() {
        return limits;
    }

    static int bytes(JsonNode node) {
        return node == null ? 0 : node.toString().getBytes(StandardCharsets.UTF_8).length;
    }

    /**
     * Events decided so far, the state they lead to, and the tasks to look at: the dependents of every task that
     * became final in this decision (and the roots at the start).
     */
    static final class Decision {
        final List<ExecutionEvent> events = new ArrayList<>();
        final WorkflowIndex index;
        final PriorityQueue<Integer> toDecide = new PriorityQueue<>();
        final BitSet queued = new BitSet();
        /** Every evaluation of this decision also draws on one shared budget (harmonia.expressions.max-cost-per-decision). */
        final ExpressionEngine expressions;
        ExecutionState state;
        /** Set when a task marked {@code checkpoint} completed: the reason of the checkpoint taken at the end. */
        String checkpointAfter;

        /** How many of {@link #events} the routing rules have looked at (see {@code advance}). */
        int routed;
        /** How many of {@link #events} {@link SignalRules#deliver} has looked at. */
        int signalsChecked;
        final ExecutionDecider decider;

        Decision(ExecutionDecider decider, ExecutionState state, WorkflowIndex index, ExpressionEngine expressions) {
            this.decider = decider;
            this.state = state;
            this.index = index;
            this.expressions = expressions;
        }

        void add(ExecutionEvent e) {
            events.add(e);
            state = ExecutionEvolver.evolve(state, e);
            if (e instanceof TaskCompleted || e instanceof TaskFailed || e instanceof TaskSkipped) {
                int p = index.position(((ExecutionEvent.TaskEvent) e).taskId());
                if (p >= 0) {
                    for (int dependent : index.dependents(p)) {
                        toDecide(dependent);
                    }
                }
            }
        }

        void toDecide(int position) {
            if (!queued.get(position)) {
                queued.set(position);
                toDecide.add(position);
            }
        }

        /** The lowest position waiting to be looked at, or -1. */
        int nextToDecide() {
            Integer p = toDecide.poll();
            if (p == null) {
                return -1;
            }
            queued.clear(p);
            return p;
        }
    }
}
