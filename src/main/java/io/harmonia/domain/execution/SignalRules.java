package io.harmonia.domain.execution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.harmonia.domain.definition.TaskDefinition;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.ExecutionCommand.CompleteTask;
import io.harmonia.domain.execution.ExecutionCommand.Signal;
import io.harmonia.domain.execution.ExecutionDecider.Decision;
import io.harmonia.domain.execution.ExecutionEvent.SignalConsumed;
import io.harmonia.domain.execution.ExecutionEvent.SignalReceived;
import io.harmonia.domain.execution.ExecutionEvent.TaskStarted;
import java.time.Instant;

/**
 * Signals and the tasks that wait for them ({@code core.wait_for_signal} {@code {"name", "timeout_ms"?}}):
 * <ul>
 *   <li>A signal is recorded ({@link SignalReceived}) unless one with its id was received already. When a wait for
 *       its name is RUNNING (the one that started first), that wait consumes it at once ({@link SignalConsumed}) and
 *       completes with the payload as its output.</li>
 *   <li>Otherwise it is kept: a wait for that name that starts later consumes the oldest kept signal in the decision
 *       that starts it. No signal is lost to a race between its arrival and the wait's start.</li>
 *   <li>A wait with {@code timeout_ms} gets that deadline (or its task's timeout when shorter): when no signal came by
 *       then, the attempt times out (TIMEOUT), so retries, {@code on_error} and error handlers apply.</li>
 * </ul>
 */
final class SignalRules {
    static final String COMPONENT = "core";
    static final String ACTION = "wait_for_signal";

    private SignalRules() {}

    /** Whether the task waits for a signal. */
    static boolean waitsForSignal(TaskDefinition def) {
        return COMPONENT.equals(def.component()) && ACTION.equals(def.action());
    }

    /** The signal name a running wait waits for (from its resolved input), or null when its input names none. */
    static String signalName(TaskState t) {
        JsonNode input = t.input();
        JsonNode name = input == null ? null : input.get("name");
        return name != null && name.isTextual() && !name.textValue().isEmpty() ? name.textValue() : null;
    }

    /** The {@code timeout_ms} of a wait's resolved input, or null. */
    static Long timeoutMs(TaskState t) {
        JsonNode input = t.input();
        JsonNode ms = input == null ? null : input.get("timeout_ms");
        return ms != null && ms.canConvertToLong() && ms.longValue() >= 0 ? ms.longValue() : null;
    }

    /**
     * A signal arrived: recorded once per id, and consumed by the first running wait for its name. Refused
     * ({@link CommandRejected}) when the execution received {@link Limits#maxSignals()} signals already.
     */
    static void receive(Signal c, Decision d, WorkflowDefinition wf, Limits limits) {
        if (d.state.signals().seen(c.signalId())) {
            return; // delivered again (at-least-once): recorded once
        }
        if (d.state.signals().received() >= limits.maxSignals()) {
            throw new CommandRejected("Expected at most " + limits.maxSignals() + " signals for execution '"
                    + d.state.executionId() + "', but it received " + d.state.signals().received()
                    + " already; signal '" + c.name() + "' (id " + c.signalId() + ") is refused", d.state.status());
        }
        d.add(new SignalReceived(c.name(), c.signalId(), c.payload(), c.source(), c.now()));
        if (d.state.running() == 0) {
            return; // kept for a wait that starts later
        }
        TaskState waiting = null;
        for (TaskState t : d.state.tasks().values()) {
            if (t.status() == TaskStatus.RUNNING && waitsForSignal(d.index.task(t.taskId(), wf))
                    && c.name().equals(signalName(t)) && (waiting == null || startedBefore(t, waiting, d))) {
                waiting = t;
            }
        }
        if (waiting != null) {
            consume(d, wf, waiting, c.name(), c.now());
        }
    }

    /**
     * After tasks started: each wait that started in this decision (from event {@code d.signalsChecked} on) takes
     * the oldest kept signal of its name. Returns whether any did (its completion then has to be advanced).
     */
    static boolean deliver(Decision d, WorkflowDefinition wf, Instant now) {
        boolean any = false;
        if (d.state.signals().pending().isEmpty()) {
            d.signalsChecked = d.events.size();
            return false;
        }
        while (d.signalsChecked < d.events.size()) {
            if (!(d.events.get(d.signalsChecked++) instanceof TaskStarted started)) {
                continue;
            }
            TaskState t = d.state.task(started.taskId());
            if (t.status() != TaskStatus.RUNNING || t.attempt() != started.attempt()
                    || !waitsForSignal(d.index.task(t.taskId(), wf))) {
                continue;
            }
            String name = signalName(t);
            if (name != null && d.state.signals().next(name) != null) {
                consume(d, wf, t, name, now);
                any = true;
            }
        }
        return any;
    }

    /** The deadline of an attempt of {@code def} starting at {@code now}: a wait's timeout_ms when it is earlier. */
    static Instant deadline(TaskDefinition def, TaskState t, Instant taskDeadline, Instant now) {
        if (!waitsForSignal(def)) {
            return taskDeadline;
        }
        Long ms = timeoutMs(t);
        if (ms == null) {
            return taskDeadline;
        }
        Instant wait;
        try {
            wait = now.plusMillis(ms);
        } catch (java.time.DateTimeException | ArithmeticException tooFar) {
            return taskDeadline;
        }
        return taskDeadline == null || wait.isBefore(taskDeadline) ? wait : taskDeadline;
    }

    /** What a timed-out attempt says: a wait names the signal it waited for. */
    static String timeoutMessage(TaskDefinition def, TaskState t, int attempt) {
        long ms = t.deadline() == null || t.startedAt() == null ? 0
                : java.time.Duration.between(t.startedAt(), t.deadline()).toMillis();
        if (waitsForSignal(def)) {
            return "attempt " + attempt + " of task '" + t.taskId() + "' waited " + ms + " ms for signal '"
                    + signalName(t) + "' and none came";
        }
        return "attempt " + attempt + " of task '" + t.taskId() + "' timed out after " + ms + " ms";
    }

    private static void consume(Decision d, WorkflowDefinition wf, TaskState t, String name, Instant now) {
        Signals.Pending signal = d.state.signals().next(name);
        d.add(new SignalConsumed(t.taskId(), t.run(), name, signal.signalId(), now));
        JsonNode payload = signal.payload() == null ? NullNode.getInstance() : signal.payload();
        d.decider.complete(new CompleteTask(t.taskId(), t.run(), t.attempt(), payload, now), d, wf);
    }

    private static boolean startedBefore(TaskState a, TaskState b, Decision d) {
        int byTime = a.startedAt().compareTo(b.startedAt());
        return byTime != 0 ? byTime < 0 : d.index.position(a.taskId()) < d.index.position(b.taskId());
    }
}
