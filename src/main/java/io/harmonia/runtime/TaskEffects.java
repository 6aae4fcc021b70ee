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

    TaskEffects(ComponentRegistry components, ExecutionDecider decider, Vertx vertx, Clock clock,
            MeterRegistry metrics, BiFunction<String, Function<Instant, ExecutionCommand>, Uni<?>> recorder) {
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

    void afterAppend(Lane lane, List<ExecutionEvent> events, Set<TaskStarted> ranInline) {
        for (ExecutionEvent e : events) {
            appendedCounters.computeIfAbsent(e.getClass(), c -> metrics.counter("harmonia.events.appended", "type",
                    c.getSimpleName())).increment();
            if (e instanceof TaskStarted started && ranInline.contains(started)) {
                continue;
            }
            if (e instanceof TaskStarted started) {
                dispatch(lane, started);
                if (started.deadline() != null) {
                    timer(lane.executionId, started.deadline(), now -> new ExecutionCommand.TimeOutTask(
                            started.taskId(), started.run(), started.attempt(), random(), now));
                }
            } else if (e instanceof TaskRetryScheduled retry) {
                timer(lane.executionId, retry.dueAt(), ExecutionCommand.WakeUp::new);
            } else if (e instanceof ExecutionStarted s && s.deadline() != null) {
                timer(lane.executionId, s.deadline(), ExecutionCommand.TimeOutExecution::new);
            }
        }
    }

    void rearmTimers(Lane lane) {
        ExecutionState s = lane.state;
        if (s.status().terminal()) {
            return;
        }
        if (s.deadline() != null) {
            timer(lane.executionId, s.deadline(), ExecutionCommand.TimeOutExecution::new);
        }
        for (TaskState t : s.tasks().values()) {
            if (t.status() == TaskStatus.RETRYING) {
                timer(lane.executionId, t.retryAt(), ExecutionCommand.WakeUp::new);
            } else if (t.status() == TaskStatus.RUNNING && t.deadline() != null) {
                timer(lane.executionId, t.deadline(), now -> new ExecutionCommand.TimeOutTask(t.taskId(), t.run(),
                        t.attempt(), random(), now));
            }
        }
    }

    private void timer(String executionId, Instant at, Function<Instant, ExecutionCommand> command) {
        long delay = Math.max(1, Duration.between(clock.instant(), at).toMillis() + 1);
        vertx.setTimer(delay, id -> recorder.apply(executionId, command).subscribe().with(s -> { },
                err -> LOG.errorf("timer for execution %s failed: %s", executionId, err.toString())));
    }

    private void dispatch(Lane lane, TaskStarted started) {
        String executionId = lane.executionId;
        TaskDefinition def = WorkflowIndex.of(lane.workflow).task(started.taskId(), lane.workflow);
        TaskInvocation invocation = invocation(executionId, lane.state, def, started);
        Component component = components.get(def.component()).orElse(null);
        Uni<TaskResult> result = component == null
                ? Uni.createFrom().item(TaskResult.failure(ErrorTypes.COMPONENT_ERROR, "component '"
                        + def.component() + "' is not registered", false))
                : Uni.createFrom().deferred(() -> component.invoke(invocation));
        result.onFailure().recoverWithItem(err -> TaskResult.failure(ErrorTypes.COMPONENT_ERROR, "component '"
                        + def.component() + "' failed unexpectedly: " + err, true))
                .subscribe().with(r -> report(executionId, started, r));
    }

    private void report(String executionId, TaskStarted started, TaskResult r) {
        if (r instanceof TaskResult.Pending) {
            return; // an external worker reports the result later
        }
        recorder.apply(executionId, resultCommand(started, r)).subscribe().with(s -> { }, err -> LOG.errorf(
                "could not record the result of task '%s' attempt %d of execution %s: %s", started.taskId(),
                started.attempt(), executionId, err.toString()));
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
