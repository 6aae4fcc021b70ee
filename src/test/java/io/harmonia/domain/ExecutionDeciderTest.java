package io.harmonia.domain;

import static io.harmonia.domain.TestDefinitions.json;
import static io.harmonia.domain.TestDefinitions.workflow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.CommandRejected;
import io.harmonia.domain.execution.ExecutionCommand;
import io.harmonia.domain.execution.ExecutionCommand.CompleteTask;
import io.harmonia.domain.execution.ExecutionCommand.FailTask;
import io.harmonia.domain.execution.ExecutionDecider;
import io.harmonia.domain.execution.ExecutionEvent;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionCompleted;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionFailed;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionStarted;
import io.harmonia.domain.execution.ExecutionEvent.TaskCanceled;
import io.harmonia.domain.execution.ExecutionEvent.TaskCompleted;
import io.harmonia.domain.execution.ExecutionEvent.TaskFailed;
import io.harmonia.domain.execution.ExecutionEvent.TaskRetryScheduled;
import io.harmonia.domain.execution.ExecutionEvent.TaskScheduled;
import io.harmonia.domain.execution.ExecutionEvent.TaskSkipped;
import io.harmonia.domain.execution.ExecutionEvent.TaskStarted;
import io.harmonia.domain.execution.ExecutionEvent.TaskTimedOut;
import io.harmonia.domain.execution.ExecutionEvolver;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.domain.execution.ExecutionStatus;
import io.harmonia.domain.execution.Limits;
import io.harmonia.domain.execution.TaskState;
import io.harmonia.domain.execution.TaskStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Given events, when a command, then events (or a rejection). */
class ExecutionDeciderTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final String ID = "00000000-0000-0000-0000-000000000001";
    final ExecutionDecider decider = new ExecutionDecider(TestDefinitions.CEL, new Limits(1000, 1000, 2));

    static final WorkflowDefinition DIAMOND = workflow("""
            {'name': 'diamond', 'output': {'sum': '${tasks.d.output.v}'},
             'tasks': [
               {'id': 'a', 'component': 'core', 'action': 'echo', 'input': {'v': '${input.n}'}},
               {'id': 'b', 'component': 'core', 'action': 'echo', 'input': {'v': '${tasks.a.output.v + 1}'}, 'depends_on': ['a']},
               {'id': 'c', 'component': 'core', 'action': 'echo', 'input': {'v': 0}, 'depends_on': ['a'],
                'condition': 'input.n > 10'},
               {'id': 'd', 'component': 'core', 'action': 'echo', 'input': {'v': '${tasks.b.output.v * 2}'},
                'depends_on': ['b', 'c']}]}""");

    /** A tiny given/when/then harness. */
    final class Spec {
        final WorkflowDefinition wf;
        ExecutionState state = ExecutionState.initial();

        Spec(WorkflowDefinition wf) {
            this.wf = wf;
        }

        Spec given(List<ExecutionEvent> events) {
            state = ExecutionEvolver.fold(state, events);
            return this;
        }

        List<ExecutionEvent> when(ExecutionCommand command) {
            List<ExecutionEvent> events = decider.decide(command, state, wf);
            state = ExecutionEvolver.fold(state, events);
            return events;
        }

        Spec started(JsonNode input) {
            when(new ExecutionCommand.Start(ID, input, T0));
            return this;
        }
    }

    static <T> List<T> only(List<ExecutionEvent> events, Class<T> type) {
        List<T> out = new ArrayList<>();
        events.stream().filter(type::isInstance).map(type::cast).forEach(out::add);
        return out;
    }

    @Nested
    @DisplayName("when an execution starts")
    class Starting {
        @Test
        void rootTasksAreScheduledWithResolvedInputAndStarted() {
            Spec spec = new Spec(DIAMOND);
            List<ExecutionEvent> events = spec.when(new ExecutionCommand.Start(ID, json("{'n': 5}"), T0));
            assertThat(events).hasSize(3);
            assertThat(events.get(0)).isInstanceOf(ExecutionStarted.class);
            assertThat(events.get(1)).isEqualTo(new TaskScheduled("a", 1, json("{'v': 5}"), T0));
            assertThat(events.get(2)).isEqualTo(new TaskStarted("a", 1, 1, null, T0));
        }

        @Test
        void startingTwiceIsRejected() {
            Spec spec = new Spec(DIAMOND).started(json("{'n': 5}"));
            assertThatThrownBy(() -> spec.when(new ExecutionCommand.Start(ID, json("{}"), T0)))
                    .isInstanceOf(CommandRejected.class).hasMessageContaining(ID);
        }
    }

    @Nested
    @DisplayName("when tasks complete")
    class Completing {
        @Test
        void dependentsRunAFalseConditionSkipsAndTheOutputMappingIsEvaluated() {
            Spec spec = new Spec(DIAMOND).started(json("{'n': 5}"));
            List<ExecutionEvent> afterA = spec.when(new CompleteTask("a", 1, 1, json("{'v': 5}"), T0));
            assertThat(only(afterA, TaskSkipped.class)).containsExactly(new TaskSkipped("c", 1, "CONDITION_FALSE", T0));
            assertThat(only(afterA, TaskScheduled.class)).extracting(TaskScheduled::input)
                    .containsExactly(json("{'v': 6}"));
            List<ExecutionEvent> afterB = spec.when(new CompleteTask("b", 1, 1, json("{'v': 6}"), T0));
            assertThat(only(afterB, TaskScheduled.class)).extracting(TaskScheduled::taskId).containsExactly("d");
            List<ExecutionEvent> afterD = spec.when(new CompleteTask("d", 1, 1, json("{'v': 12}"), T0));
            assertThat(afterD).last().isEqualTo(new ExecutionCompleted(json("{'sum': 12}"), T0));
            assertThat(spec.state.status()).isEqualTo(ExecutionStatus.COMPLETED);
        }

        @Test
        void aLateOrDuplicateResultIsIgnored() {
            Spec spec = new Spec(DIAMOND).started(json("{'n': 5}"));
            spec.when(new CompleteTask("a", 1, 1, json("{'v': 5}"), T0));
            assertThat(spec.when(new CompleteTask("a", 1, 1, json("{'v': 99}"), T0))).isEmpty();
            assertThat(spec.when(new CompleteTask("b", 1, 7, json("{}"), T0))).isEmpty();
        }

        @Test
        void anOversizedOutputFailsTheTask() {
            Spec spec = new Spec(DIAMOND).started(json("{'n': 5}"));
            List<ExecutionEvent> events = spec.when(new CompleteTask("a", 1, 1, json("{'v': '" + "x".repeat(2000)
                    + "'}"), T0));
            assertThat(only(events, TaskFailed.class)).singleElement()
                    .satisfies(f -> assertThat(f.errorType()).isEqualTo("PAYLOAD_TOO_LARGE"));
        }
    }

    @Nested
    @DisplayName("when a task fails")
    class Failing {
        static final WorkflowDefinition BRANCHES = workflow("""
                {'name': 'branches', 'tasks': [
                  {'id': 'a', 'component': 'core', 'action': 'echo'},
                  {'id': 'b', 'component': 'core', 'action': 'echo', 'depends_on': ['a']},
                  {'id': 'c', 'component': 'core', 'action': 'echo', 'depends_on': ['b']},
                  {'id': 'x', 'component': 'core', 'action': 'echo'}]}""");

        @Test
        void downstreamTasksAreSkippedIndependentBranchesFinishAndTheExecutionFails() {
            Spec spec = new Spec(BRANCHES).started(json("{}"));
            List<ExecutionEvent> events = spec.when(new FailTask("a", 1, 1, "CLIENT_ERROR", "bad", false, 0.5, T0));
            assertThat(only(events, TaskFailed.class)).extracting(TaskFailed::taskId).containsExactly("a");
            assertThat(only(events, TaskSkipped.class)).extracting(TaskSkipped::taskId, TaskSkipped::reason)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("b", "UPSTREAM_FAILED"),
                            org.assertj.core.groups.Tuple.tuple("c", "UPSTREAM_FAILED"));
            assertThat(spec.state.status()).isEqualTo(ExecutionStatus.RUNNING); // x still runs
            List<ExecutionEvent> end = spec.when(new CompleteTask("x", 1, 1, json("{}"), T0));
            assertThat(end).last().isInstanceOfSatisfying(ExecutionFailed.class, f -> {
                assertThat(f.taskId()).isEqualTo("a");
                assertThat(f.errorType()).isEqualTo("CLIENT_ERROR");
            });
        }

        @Test
        void aRetriableErrorIsRetriedWithExponentialBackoffUntilAttemptsRunOut() {
            WorkflowDefinition wf = workflow("""
                    {'name': 'retry', 'tasks': [{'id': 'a', 'component': 'core', 'action': 'echo',
                      'retry': {'max_attempts': 3, 'initial_delay_ms': 100, 'backoff_factor': 3, 'jitter': false}}]}""");
            Spec spec = new Spec(wf).started(json("{}"));
            List<ExecutionEvent> first = spec.when(new FailTask("a", 1, 1, "SERVER_ERROR", "boom", true, 0.5, T0));
            assertThat(first).containsExactly(new TaskRetryScheduled("a", 1, 1, "SERVER_ERROR", "boom",
                    T0.plusMillis(100), T0));
            assertThat(spec.when(new ExecutionCommand.WakeUp(T0.plusMillis(50)))).isEmpty(); // not due yet
            assertThat(spec.when(new ExecutionCommand.WakeUp(T0.plusMillis(100))))
                    .containsExactly(new TaskStarted("a", 1, 2, null, T0.plusMillis(100)));
            List<ExecutionEvent> second = spec.when(new FailTask("a", 1, 2, "SERVER_ERROR", "boom", true, 0.5,
                    T0.plusMillis(200)));
            assertThat(only(second, TaskRetryScheduled.class)).extracting(TaskRetryScheduled::dueAt)
                    .containsExactly(T0.plusMillis(200 + 300));
            spec.when(new ExecutionCommand.WakeUp(T0.plusMillis(500)));
            List<ExecutionEvent> last = spec.when(new FailTask("a", 1, 3, "SERVER_ERROR", "boom", true, 0.5,
                    T0.plusMillis(600)));
            assertThat(only(last, TaskFailed.class)).hasSize(1);
            assertThat(spec.state.status()).isEqualTo(ExecutionStatus.FAILED);
        }

        @Test
        void onlyErrorsNamedRetriableAreRetried() {
            WorkflowDefinition wf = workflow("""
                    {'name': 'retry', 'tasks': [{'id': 'a', 'component': 'core', 'action': 'echo',
                      'retry': {'max_attempts': 5, 'retriable_errors': ['CONNECTION_ERROR']}}]}""");
            Spec spec = new Spec(wf).started(json("{}"));
            assertThat(only(spec.when(new FailTask("a", 1, 1, "SERVER_ERROR", "x", true, 0.5, T0)), TaskFailed.class))
                    .hasSize(1);
        }

        @Test
        void jitterDrawsTheDelayBetweenHalfAndAllOfIt() {
            WorkflowDefinition wf = workflow("""
                    {'name': 'retry', 'tasks': [{'id': 'a', 'component': 'core', 'action': 'echo',
                      'retry': {'max_attempts': 2, 'initial_delay_ms': 1000, 'jitter': true}}]}""");
            Spec low = new Spec(wf).started(json("{}"));
            Spec high = new Spec(wf).started(json("{}"));
            assertThat(only(low.when(new FailTask("a", 1, 1, "SERVER_ERROR", "x", true, 0.0, T0)),
                    TaskRetryScheduled.class).get(0).dueAt()).isEqualTo(T0.plusMillis(500));
            assertThat(only(high.when(new FailTask("a", 1, 1, "SERVER_ERROR", "x", true, 0.999, T0)),
                    TaskRetryScheduled.class).get(0).dueAt()).isBetween(T0.plusMillis(990), T0.plusMillis(1000));
        }

        @Test
        void anExpressionErrorFailsTheTaskNamingTheTask() {
            WorkflowDefinition wf = workflow("""
                    {'name': 'expr', 'tasks': [{'id': 'a', 'component': 'core', 'action': 'echo',
                      'input': {'v': '${input.missing.deeper}'}}]}""");
            List<ExecutionEvent> events = new Spec(wf).when(new ExecutionCommand.Start(ID, json("{}"), T0));
            assertThat(only(events, TaskFailed.class)).singleElement().satisfies(f -> {
                assertThat(f.errorType()).isEqualTo("EXPRESSION_ERROR");
                assertThat(f.message()).contains("'a'").contains("input.missing.deeper");
            });
            assertThat(events).last().isInstanceOf(ExecutionFailed.class);
        }

        @Test
        void aTaskThatFailsWhileItsInputIsResolvedShowsItsRunAndNoAttempt() {
            WorkflowDefinition wf = workflow("""
                    {'name': 'expr', 'tasks': [{'id': 'a', 'component': 'core', 'action': 'echo',
                      'input': {'v': '${input.missing.deeper}'}}]}""");
            Spec spec = new Spec(wf);
            spec.when(new ExecutionCommand.Start(ID, json("{}"), T0));
            TaskState a = spec.state.task("a");
            assertThat(a.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(a.run()).isEqualTo(1); // run 1 was decided and failed ...
            assertThat(a.attempt()).isZero(); // ... before any attempt started
            assertThat(a.endedAt()).isEqualTo(T0);
        }
    }

    @Nested
    @DisplayName("timeouts")
    class Timeouts {
        @Test
        void anAttemptPastItsDeadlineTimesOutAndIsRetried() {
            WorkflowDefinition wf = workflow("""
                    {'name': 't', 'tasks': [{'id': 'a', 'component': 'core', 'action': 'sleep', 'timeout_ms': 100,
                      'retry': {'max_attempts': 2, 'initial_delay_ms': 10, 'jitter': false}}]}""");
            Spec spec = new Spec(wf).started(json("{}"));
            assertThat(spec.state.task("a").deadline()).isEqualTo(T0.plusMillis(100));
            assertThat(spec.when(new ExecutionCommand.TimeOutTask("a", 1, 1, 0.5, T0.plusMillis(99)))).isEmpty();
            List<ExecutionEvent> events = spec.when(new ExecutionCommand.TimeOutTask("a", 1, 1, 0.5,
                    T0.plusMillis(100)));
            assertThat(events.get(0)).isEqualTo(new TaskTimedOut("a", 1, 1, T0.plusMillis(100)));
            assertThat(events.get(1)).isInstanceOfSatisfying(TaskRetryScheduled.class,
                    r -> assertThat(r.errorType()).isEqualTo("TIMEOUT"));
            // the late result of the timed-out attempt is ignored
            assertThat(spec.when(new CompleteTask("a", 1, 1, json("{}"), T0.plusMillis(101)))).isEmpty();
        }

        @Test
        void theWorkflowTimeoutFailsTheExecutionAndEndsEveryTaskWithIt() {
            WorkflowDefinition wf = workflow("""
                    {'name': 't', 'timeout': 1, 'tasks': [
                      {'id': 'a', 'component': 'core', 'action': 'sleep'},
                      {'id': 'b', 'component': 'core', 'action': 'sleep', 'depends_on': ['a']}]}""");
            Spec spec = new Spec(wf).started(json("{}"));
            Instant deadline = T0.plusSeconds(1);
            List<ExecutionEvent> events = spec.when(new ExecutionCommand.TimeOutExecution(deadline));
            String message = "execution '" + ID + "' exceeded its workflow timeout (deadline " + deadline + ")";
            assertThat(events).containsExactly(
                    new TaskCanceled("a", 1, 1, "EXECUTION_TIMED_OUT", message, deadline),
                    new TaskSkipped("b", 1, "EXECUTION_TIMED_OUT", deadline),
                    new ExecutionFailed("TIMEOUT", message, null, deadline));
            assertThat(spec.state.task("a").status()).isEqualTo(TaskStatus.CANCELED);
            assertThat(spec.state.task("a").endedAt()).isEqualTo(deadline);
            assertThat(spec.state.task("b").status()).isEqualTo(TaskStatus.SKIPPED);
            // the attempt that was running reports late: ignored
            assertThat(spec.when(new CompleteTask("a", 1, 1, json("{}"), deadline.plusMillis(1)))).isEmpty();
        }
    }

    @Nested
    @DisplayName("pause, resume, cancel")
    class Control {
        static final WorkflowDefinition CHAIN = workflow("""
                {'name': 'chain', 'tasks': [
                  {'id': 'a', 'component': 'core', 'action': 'echo'},
                  {'id': 'b', 'component': 'core', 'action': 'echo', 'depends_on': ['a']}]}""");

        @Test
        void aPausedExecutionRecordsRunningResultsButStartsNothingUntilResumed() {
            Spec spec = new Spec(CHAIN).started(json("{}"));
            spec.when(new ExecutionCommand.Pause("test", T0));
            List<ExecutionEvent> done = spec.when(new CompleteTask("a", 1, 1, json("{}"), T0));
            assertThat(done).extracting(e -> e.getClass().getSimpleName())
                    .containsExactly("TaskCompleted", "TaskScheduled");
            List<ExecutionEvent> resumed = spec.when(new ExecutionCommand.Resume(T0));
            assertThat(resumed).extracting(e -> e.getClass().getSimpleName())
                    .containsExactly("ExecutionResumed", "TaskStarted");
        }

        @Test
        void commandsThatMakeNoSenseAreRejectedNamingTheStatus() {
            Spec spec = new Spec(CHAIN).started(json("{}"));
            assertThatThrownBy(() -> spec.when(new ExecutionCommand.Resume(T0))).isInstanceOf(CommandRejected.class)
                    .hasMessageContaining("RUNNING");
            spec.when(new ExecutionCommand.Cancel("stop", T0));
            assertThat(spec.state.status()).isEqualTo(ExecutionStatus.CANCELED);
            assertThatThrownBy(() -> spec.when(new ExecutionCommand.Pause("x", T0)))
                    .isInstanceOf(CommandRejected.class).hasMessageContaining("CANCELED");
            assertThat(spec.when(new CompleteTask("a", 1, 1, json("{}"), T0))).isEmpty();
        }
    }

    @Nested
    @DisplayName("an execution that ends early ends every task")
    class EndingEarly {
        static final WorkflowDefinition MIXED = workflow("""
                {'name': 'mixed', 'max_parallel_tasks': 1, 'tasks': [
                  {'id': 'r', 'component': 'core', 'action': 'echo',
                   'retry': {'max_attempts': 3, 'initial_delay_ms': 1000, 'jitter': false}},
                  {'id': 'run', 'component': 'core', 'action': 'echo'},
                  {'id': 's', 'component': 'core', 'action': 'echo'},
                  {'id': 'p', 'component': 'core', 'action': 'echo', 'depends_on': ['s']},
                  {'id': 'done', 'component': 'core', 'action': 'echo', 'depends_on': ['p']}]}""");

        @Test
        void cancelCancelsWaitingRunningAndRetryingTasksAndSkipsPendingOnes() {
            Spec spec = new Spec(MIXED).started(json("{}")); // r runs (one slot); run and s are SCHEDULED
            spec.when(new FailTask("r", 1, 1, "SERVER_ERROR", "boom", true, 0.5, T0)); // r RETRYING, run starts
            assertThat(spec.state.task("r").status()).isEqualTo(TaskStatus.RETRYING);
            assertThat(spec.state.task("run").status()).isEqualTo(TaskStatus.RUNNING);
            assertThat(spec.state.task("s").status()).isEqualTo(TaskStatus.SCHEDULED);

            List<ExecutionEvent> events = spec.when(new ExecutionCommand.Cancel("enough", T0.plusMillis(5)));

            String message = "execution '" + ID + "' was canceled: enough";
            Instant at = T0.plusMillis(5);
            assertThat(events).containsExactly(
                    new TaskCanceled("r", 1, 1, "EXECUTION_CANCELED", message, at),
                    new TaskCanceled("run", 1, 1, "EXECUTION_CANCELED", message, at),
                    new TaskCanceled("s", 1, 0, "EXECUTION_CANCELED", message, at),
                    new TaskSkipped("p", 1, "EXECUTION_CANCELED", at),
                    new TaskSkipped("done", 1, "EXECUTION_CANCELED", at),
                    new ExecutionEvent.ExecutionCanceled("enough", at));
            assertThat(spec.state.status()).isEqualTo(ExecutionStatus.CANCELED);
            assertThat(spec.state.tasks().values()).hasSize(5)
                    .allSatisfy(t -> assertThat(t.status().terminal()).as(t.taskId()).isTrue());
            assertThat(spec.state.task("run").errorType()).isEqualTo("EXECUTION_CANCELED");
            // the canceled attempt's result, and the retry's timer, change nothing
            assertThat(spec.when(new CompleteTask("run", 1, 1, json("{}"), at))).isEmpty();
            assertThat(spec.when(new ExecutionCommand.WakeUp(T0.plusSeconds(2)))).isEmpty();
        }

        @Test
        void finishedTasksKeepTheirStatus() {
            Spec spec = new Spec(Control.CHAIN).started(json("{}"));
            spec.when(new CompleteTask("a", 1, 1, json("{}"), T0));
            List<ExecutionEvent> events = spec.when(new ExecutionCommand.Cancel(null, T0));
            assertThat(events).extracting(e -> e.getClass().getSimpleName())
                    .containsExactly("TaskCanceled", "ExecutionCanceled");
            assertThat(spec.state.task("a").status()).isEqualTo(TaskStatus.COMPLETED);
            assertThat(spec.state.task("b").status()).isEqualTo(TaskStatus.CANCELED);
        }
    }

    @Nested
    @DisplayName("parallelism and recovery")
    class ParallelismAndRecovery {
        static final WorkflowDefinition FAN = workflow("""
                {'name': 'fan', 'tasks': [
                  {'id': 'a', 'component': 'core', 'action': 'echo'},
                  {'id': 'b', 'component': 'core', 'action': 'echo'},
                  {'id': 'c', 'component': 'core', 'action': 'echo'}]}""");

        @Test
        void independentTasksStartTogetherUpToTheLimit() {
            Spec spec = new Spec(FAN);
            List<ExecutionEvent> events = spec.when(new ExecutionCommand.Start(ID, json("{}"), T0));
            assertThat(only(events, TaskStarted.class)).extracting(TaskStarted::taskId).containsExactly("a", "b");
            assertThat(only(spec.when(new CompleteTask("a", 1, 1, json("{}"), T0)), TaskStarted.class))
                    .extracting(TaskStarted::taskId).containsExactly("c");
        }

        @Test
        void recoveryStartsLostAttemptsAgainAsNewAttempts() {
            Spec spec = new Spec(FAN).started(json("{}"));
            spec.when(new CompleteTask("a", 1, 1, json("{}"), T0));
            List<ExecutionEvent> events = spec.when(new ExecutionCommand.Recover(T0.plusSeconds(5)));
            assertThat(only(events, TaskStarted.class)).extracting(TaskStarted::taskId, TaskStarted::attempt)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("b", 2),
                            org.assertj.core.groups.Tuple.tuple("c", 2));
            assertThat(only(events, TaskCompleted.class)).isEmpty();
        }

        @Test
        void recoveryKeepsTheAttemptsThatOnlyWaitForARecordedTime() {
            Spec spec = new Spec(FAN).started(json("{}"));
            List<ExecutionEvent> events = spec.when(new ExecutionCommand.Recover(java.util.Set.of("a"),
                    T0.plusSeconds(5)));
            assertThat(only(events, TaskStarted.class)).extracting(TaskStarted::taskId, TaskStarted::attempt)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("b", 2));
        }
    }
}
