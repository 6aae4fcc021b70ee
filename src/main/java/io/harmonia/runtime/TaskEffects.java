package io.harmonia.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.harmonia.component.Component;
import io.harmonia.component.ComponentRegistry;
import io.harmonia.component.TaskInvocation;
import io.harmonia.component.TaskResult;
import io.harmonia.domain.definition.ErrorTypes;
import io.harmonia.domain.definition.TaskDefinition;
import io.harmonia.domain.execution.ExecutionCommand;
import io.harmonia.domain.execution.ExecutionDecider;
import io.harmonia.domain.execution.ExecutionEvent;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionStarted;
import io.harmonia.domain.execution.ExecutionEvent.TaskRetryScheduled;
import io.harmonia.domain.execution.ExecutionEvent.TaskStarted;
import io.harmonia.domain.execution.ExecutionEvolver;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.domain.execution.TaskState;
import io.harmonia.domain.execution.TaskStatus;
import io.harmonia.domain.execution.WorkflowIndex;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * What the engine does around a decision with the tasks it starts: inline actions run inside the decision (one
 * append holds a task's start and its result), and, only once the events are durable, other tasks are dispatched to
 * their components and timers are armed. Results and timers go back to the engine through {@code recorder}, which
 * records them durably ({@link ExecutionEngine#record}).
 */
final class TaskEffects {
    private static final Logger LOG = Logger.getLogger(TaskEffects.class);
    /** A guard against a runaway decision (a workflow's tasks are finite, so this is never reached in practice). */
    private static final int MAX_EVENTS_PER_DECISION = 100_000;
    /** Inline tasks run by one decision; tasks started beyond it are dispatched after the append, like others. */
    static final int MAX_INLINE_PER_DECISION = 256;

    private final ComponentRegistry components;
    private final ExecutionDecider decider;
    private final Vertx vertx;
    private final Clock clock;
    private final MeterRegistry metrics;
    private final Map<Class<?>, Counter> appendedCounters = new ConcurrentHashMap<>();
    private final BiFunction<String, Function<Instant, ExecutionCommand>, Uni<?>> recorder;
    /** Starts the child of a workflow.run attempt (see {@link Children}). */
    private final java.util.function.BiConsumer<Lane, TaskStarted> children;

    TaskEffects(ComponentRegistry components, ExecutionDecider decider, Vertx vertx, Clock clock,
            MeterRegistry metrics, BiFunction<String, Function<Instant, ExecutionCommand>, Uni<?>> recorder,
            java.util.function.BiConsumer<Lane, TaskStarted> children) {
        this.children = children;
        this.components = components;
        this.decider = decider;
        this.vertx = vertx;
        this.clock = clock;
        this.metrics = metrics;
        this.recorder = recorder;
    }


    /**
     * Folds {@code events} into the lane's state and, for every task they start whose action runs inline, runs it
     * now and decides its result too, adding those events: one append then holds the task's start and its result.
     */
    ExecutionState runInline(Lane lane, Instant now, List<ExecutionEvent> events, Set<TaskStarted> ranInline) {
        ExecutionState state = ExecutionEvolver.fold(lane.state, events);
        for (int i = 0; i < events.size() && i < MAX_EVENTS_PER_DECISION
                && ranInline.size() < MAX_INLINE_PER_DECISION; i++) {
            if (!(events.get(i) instanceof TaskStarted started)) {
                continue;
            }
            TaskDefinition def = WorkflowIndex.of(lane.workflow).task(started.taskId(), lane.workflow);
            Component component = components.get(def.component()).orElse(null);
            if (component == null || !component.runsInline(def.action())) {
                continue;
            }
            TaskResult result;
            try {
                result = component.invokeInline(invocation(lane.executionId, state, def, started));
            } catch (RuntimeException e) {
                result = TaskResult.failure(ErrorTypes.COMPONENT_ERROR, "component '" + def.component()
                        + "' failed unexpectedly: " + e, false);
            }
            List<ExecutionEvent> more = decider.decide(resultCommand(started, result).apply(now), state,
                    lane.workflow);
            state = ExecutionEvolver.fold(state, more);
            events.addAll(more);
            ranInline.add(started);
        }
        return state;
    }

    private static TaskInvocation invocation(String executionId, ExecutionState state, TaskDefinition def,
            TaskStarted started) {
        TaskState t = state.task(started.taskId());
        return new TaskInvocation(executionId, state.workflowId(), started.taskId(), started.run(),
                started.attempt(), def.action(), t.input(), t.firstStartedAt(), started.deadline());
    }

    /**
     * After an append by this replica as the owner, or after it learned of events another replica appended: sends
     * the attempts they started (unless they ran inline, already finished, or were sent already) and arms the timers
     * they set. While the partition is being handed over ({@code hold}), started attempts are not sent: the next
     * owner sends them.
     */
    void afterAppend(Lane lane, List<ExecutionEvent> events, Set<TaskStarted> ranInline, boolean hold) {
        for (ExecutionEvent e : events) {
            if (e instanceof TaskStarted started && ranInline.contains(started)) {
                continue;
            }
            if (e instanceof TaskStarted started) {
                TaskState t = lane.state.task(started.taskId());
                if (t.status() == TaskStatus.RUNNING && t.run() == started.run() && t.attempt() == started.attempt()) {
                    send(lane, t, hold);
                }
            } else if (e instanceof TaskRetryScheduled retry) {
                timer(lane, "retry/" + retry.taskId(), retry.dueAt(), ExecutionCommand.WakeUp::new);
            } else if (e instanceof ExecutionStarted s && s.deadline() != null) {
                timer(lane, "deadline", s.deadline(), ExecutionCommand.TimeOutExecution::new);
            }
        }
    }

    /** Counts the events this replica appended, by type. */
    void count(List<ExecutionEvent> events) {
        for (ExecutionEvent e : events) {
            appendedCounters.computeIfAbsent(e.getClass(), c -> metrics.counter("harmonia.events.appended", "type",
                    c.getSimpleName())).increment();
        }
    }

    /**
     * Brings a lane just loaded (or caught up) by its owner in line with its state: every running attempt not sent
     * by this replica is sent (it was started by another replica, or its start was recorded but never sent), and
     * every timer of the state is armed. O(tasks).
     */
    void reconcile(Lane lane, boolean hold) {
        ExecutionState s = lane.state;
        if (s.status().terminal()) {
            return;
        }
        if (s.deadline() != null) {
            timer(lane, "deadline", s.deadline(), ExecutionCommand.TimeOutExecution::new);
        }
        for (TaskState t : s.tasks().values()) {
            if (t.status() == TaskStatus.RETRYING) {
                timer(lane, "retry/" + t.taskId(), t.retryAt(), ExecutionCommand.WakeUp::new);
            } else if (t.status() == TaskStatus.RUNNING) {
                send(lane, t, hold);
            }
        }
    }

    /** Counts every running attempt of the lane as sent (they are restarted or left with their worker instead). */
    static void markRunningAsSent(Lane lane, java.util.function.Predicate<TaskState> which) {
        for (TaskState t : lane.state.tasks().values()) {
            if (t.status() == TaskStatus.RUNNING && which.test(t)) {
                lane.dispatched.add(Lane.attemptKey(t.taskId(), t.run(), t.attempt()));
            }
        }
    }

    /** Whether the task's component works outside this process (e.g. a Kafka worker): its attempts outlive us. */
    boolean external(Lane lane, String taskId) {
        TaskDefinition def = WorkflowIndex.of(lane.workflow).task(taskId, lane.workflow);
        return components.get(def.component()).map(c -> !"in-process".equals(c.transport())).orElse(false);
    }

    private void send(Lane lane, TaskState t, boolean hold) {
        if (t.deadline() != null) {
            timer(lane, "timeout/" + t.taskId() + "/" + t.run() + "/" + t.attempt(), t.deadline(),
                    now -> new ExecutionCommand.TimeOutTask(t.taskId(), t.run(), t.attempt(), random(), now));
        }
        String key = Lane.attemptKey(t.taskId(), t.run(), t.attempt());
        if (hold || !lane.dispatched.add(key)) {
            return;
        }
        TaskStarted started = new TaskStarted(t.taskId(), t.run(), t.attempt(), t.deadline(), t.startedAt());
        Instant wake = wakesAt(lane, lane.state, t);
        if (wake == null) {
            dispatch(lane, started);
            return;
        }
        if (ExecutionState.NEVER.equals(wake)) {
            return; // it waits for something from outside (a signal), or its deadline: no timer of its own
        }
        // an attempt that only waits: a timer, nothing in flight; at its time the component completes it at once
        timer(lane, "wake/" + key, wake, () -> {
            TaskState now = lane.state.task(t.taskId());
            if (now.status() == TaskStatus.RUNNING && now.run() == t.run() && now.attempt() == t.attempt()) {
                dispatch(lane, started);
            }
        });
    }

    /** When a running attempt that only waits is done (see {@link Component#wakesAt}); null for any other. */
    Instant wakesAt(Lane lane, ExecutionState state, TaskState t) {
        TaskDefinition def = WorkflowIndex.of(lane.workflow).task(t.taskId(), lane.workflow);
        Component component = components.get(def.component()).orElse(null);
        if (component == null || t.status() != TaskStatus.RUNNING) {
            return null;
        }
        return component.wakesAt(invocation(lane.executionId, state, def,
                new TaskStarted(t.taskId(), t.run(), t.attempt(), t.deadline(), t.startedAt())));
    }

    /**
     * When the execution must next be taken up by its driver: null while an attempt is in flight; otherwise its
     * earliest timer, counting the attempts that only wait (see {@code ExecutionState.wakeAt}).
     */
    Instant wakeOf(Lane lane, ExecutionState state) {
        if (state.status().terminal()) {
            return null;
        }
        if (state.running() == 0) {
            return state.wakeAt();
        }
        Instant earliest = state.earliestTimer();
        long running = state.running();
        for (TaskState t : state.tasks().values()) {
            if (running == 0) {
                break;
            }
            if (t.status() != TaskStatus.RUNNING) {
                continue;
            }
            running--;
            Instant wake = wakesAt(lane, state, t);
            if (wake == null) {
                return null;
            }
            earliest = wake.isBefore(earliest) ? wake : earliest;
        }
        return earliest;
    }

    /**
     * The tasks whose running attempt only waits (a timer, or a sub-workflow's child): they survive a change of
     * driver (see {@code Recover}).
     */
    Set<String> waiting(Lane lane) {
        Set<String> out = new java.util.HashSet<>();
        for (TaskState t : lane.state.tasks().values()) {
            if (t.status() == TaskStatus.RUNNING
                    && (wakesAt(lane, lane.state, t) != null || Children.runsChild(lane, t.taskId()))) {
                out.add(t.taskId());
            }
        }
        return out;
    }

    /** Cancels the lane's timers (it is evicted, or its partition went to another replica). */
    void cancelTimers(Lane lane) {
        synchronized (lane.timers) {
            lane.timers.values().forEach(vertx::cancelTimer);
            lane.timers.clear();
        }
    }

    private void timer(Lane lane, String what, Instant at, Function<Instant, ExecutionCommand> command) {
        timer(lane, what, at, () -> recorder.apply(lane.executionId, command).subscribe().with(s -> { },
                err -> LOG.errorf("timer for execution %s failed: %s", lane.executionId, err.toString())));
    }

    private void timer(Lane lane, String what, Instant at, Runnable action) {
        String key = what + "@" + at.toEpochMilli();
        long delay = Math.max(1, Duration.between(clock.instant(), at).toMillis() + 1);
        synchronized (lane.timers) {
            if (lane.timers.containsKey(key)) {
                return;
            }
            lane.timers.put(key, vertx.setTimer(delay, id -> {
                synchronized (lane.timers) {
                    lane.timers.remove(key);
                }
                action.run();
            }));
        }
    }

    private void dispatch(Lane lane, TaskStarted started) {
        String executionId = lane.executionId;
        TaskDefinition def = WorkflowIndex.of(lane.workflow).task(started.taskId(), lane.workflow);
        if (io.harmonia.domain.execution.ChildRules.runsChild(def)) {
            children.accept(lane, started); // a sub-workflow: nothing in flight, the child reports when it ends
            return;
        }
        TaskInvocation invocation = invocation(executionId, lane.state, def, started);
        Component component = components.get(def.component()).orElse(null);
        Uni<TaskResult> result = component == null
                ? Uni.createFrom().item(TaskResult.failure(ErrorTypes.COMPONENT_ERROR, "component '"
                        + def.component() + "' is not registered", false))
                : Uni.createFrom().deferred(() -> component.invoke(invocation));
        lane.sent();
        result.onFailure().recoverWithItem(err -> TaskResult.failure(ErrorTypes.COMPONENT_ERROR, "component '"
                        + def.component() + "' failed unexpectedly: " + err, true))
                .subscribe().with(r -> report(lane, started, r));
    }

    /** Records an attempt's result; the attempt counts as in flight until its result is recorded (or refused). */
    private void report(Lane lane, TaskStarted started, TaskResult r) {
        if (r instanceof TaskResult.Pending) {
            lane.reported(); // an external worker reports the result later, to any replica
            return;
        }
        recorder.apply(lane.executionId, resultCommand(started, r)).onTermination()
                .invoke(lane::reported)
                .subscribe().with(s -> { }, err -> LOG.errorf(
                        "could not record the result of task '%s' attempt %d of execution %s: %s", started.taskId(),
                        started.attempt(), lane.executionId, err.toString()));
    }

    private static Function<Instant, ExecutionCommand> resultCommand(TaskStarted started, TaskResult r) {
        if (r instanceof TaskResult.Success ok) {
            JsonNode output = ok.output() == null ? NullNode.getInstance() : ok.output();
            return now -> new ExecutionCommand.CompleteTask(started.taskId(), started.run(), started.attempt(),
                    output, now);
        }
        if (r instanceof TaskResult.Failure f) {
            double random = random();
            return now -> new ExecutionCommand.FailTask(started.taskId(), started.run(), started.attempt(),
                    f.errorType(), f.message(), f.retriable(), random, now);
        }
        throw new IllegalArgumentException("Expected a task result with an outcome, found " + r);
    }

    private static double random() {
        return ThreadLocalRandom.current().nextDouble();
    }
}
