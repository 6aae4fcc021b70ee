package io.harmonia.domain;

import static io.harmonia.domain.TestDefinitions.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.harmonia.domain.definition.ComponentCatalog;
import io.harmonia.domain.definition.DefinitionValidator;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.CommandRejected;
import io.harmonia.domain.execution.ExecutionCommand;
import io.harmonia.domain.execution.ExecutionCommand.CompleteTask;
import io.harmonia.domain.execution.ExecutionCommand.Pause;
import io.harmonia.domain.execution.ExecutionCommand.Resume;
import io.harmonia.domain.execution.ExecutionCommand.Signal;
import io.harmonia.domain.execution.ExecutionCommand.TimeOutTask;
import io.harmonia.domain.execution.ExecutionCommand.WakeUp;
import io.harmonia.domain.execution.ExecutionDecider;
import io.harmonia.domain.execution.ExecutionEvent;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionCompleted;
import io.harmonia.domain.execution.ExecutionEvent.SignalConsumed;
import io.harmonia.domain.execution.ExecutionEvent.SignalReceived;
import io.harmonia.domain.execution.ExecutionEvent.TaskCompleted;
import io.harmonia.domain.execution.ExecutionEvent.TaskFailed;
import io.harmonia.domain.execution.ExecutionEvent.TaskRetryScheduled;
import io.harmonia.domain.execution.ExecutionEvent.TaskScheduled;
import io.harmonia.domain.execution.ExecutionEvent.TaskStarted;
import io.harmonia.domain.execution.ExecutionEvent.TaskTimedOut;
import io.harmonia.domain.execution.ExecutionEvent.TransitionTaken;
import io.harmonia.domain.execution.ExecutionEvolver;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.domain.execution.ExecutionStatus;
import io.harmonia.domain.execution.HistoryVerifier;
import io.harmonia.domain.execution.Limits;
import io.harmonia.domain.execution.TaskState;
import io.harmonia.domain.execution.TaskStatus;
import io.harmonia.application.HistoryService;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Signals and {@code core.wait_for_signal}: given events, when a command (a signal, a task's start, a timeout), then
 * events. Every history built here is also verified "same" by the HistoryVerifier.
 */
class SignalRulesTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Instant T1 = T0.plusSeconds(1);
    static final Instant T2 = T0.plusSeconds(2);
    static final String ID = "00000000-0000-0000-0000-000000000013";

    /** The test catalog, with the waits of issue 13. */
    static final ComponentCatalog CATALOG = new ComponentCatalog() {
        private final Map<String, Set<String>> actions = Map.of(
                "core", Set.of("echo", "fail", "wait", "wait_for_signal"));

        @Override
        public Optional<Set<String>> actionsOf(String component) {
            return Optional.ofNullable(actions.get(component));
        }

        @Override
        public Set<String> components() {
            return actions.keySet();
        }
    };
    static final DefinitionValidator VALIDATOR = new DefinitionValidator(CATALOG, TestDefinitions.CEL,
            schema -> List.of());

    static WorkflowDefinition workflow(String json) {
        DefinitionValidator.Result r = VALIDATOR.validate(json(json));
        if (!r.valid()) {
            throw new IllegalArgumentException("invalid test workflow: " + r.problems());
        }
        return r.definition().withIdAndVersion("00000000-0000-0000-0000-0000000000bb", 1);
    }

    /** submit, then wait for 'approval'; the last task reads the signal through an expression. */
    static final WorkflowDefinition DAG = workflow("""
            {'name': 'approval', 'tasks': [
               {'id': 'submit', 'component': 'core', 'action': 'echo'},
               {'id': 'wait', 'component': 'core', 'action': 'wait_for_signal', 'depends_on': ['submit'],
                'input': {'name': 'approval'}},
               {'id': 'after', 'component': 'core', 'action': 'echo', 'depends_on': ['wait'],
                'input': {'approved': '${signals.approval.approved}', 'by': '${tasks.wait.output.by}'}}]}""");

    /** Seed 000's approval as a state machine: wait with an expiration, retried once, expired on TIMEOUT. */
    static final WorkflowDefinition MACHINE = workflow("""
            {'name': 'approval', 'steps': [
               {'id': 'wait', 'type': 'core.wait_for_signal', 'config': {'name': 'approval', 'timeout_ms': 1000},
                'retry': {'max_attempts': 2, 'initial_delay_ms': 100, 'jitter': false},
                'transitions': [{'to': 'approved', 'condition': 'output.approved == true'}, {'to': 'rejected'}],
                'on_error': [{'error_type': 'TIMEOUT', 'to': 'expired'}]},
               {'id': 'approved', 'type': 'core.echo', 'config': {}},
               {'id': 'rejected', 'type': 'core.echo', 'config': {}},
               {'id': 'expired', 'type': 'core.echo', 'config': {'why': '${error.type}', 'msg': '${error.message}'}}]}
            """);

    final Limits limits = Limits.defaults();
    ExecutionDecider decider = new ExecutionDecider(TestDefinitions.CEL, limits);

    final class Spec {
        final WorkflowDefinition wf;
        ExecutionState state = ExecutionState.initial();
        final List<ExecutionEvent> history = new ArrayList<>();

        Spec(WorkflowDefinition wf) {
            this.wf = wf;
        }

        List<ExecutionEvent> when(ExecutionCommand command) {
            List<ExecutionEvent> events = decider.decide(command, state, wf);
            state = ExecutionEvolver.fold(state, events);
            history.addAll(events);
            return events;
        }

        Spec started() {
            when(new ExecutionCommand.Start(ID, json("{}"), T0));
            return this;
        }

        List<ExecutionEvent> complete(String task, Instant at) {
            TaskState t = state.task(task);
            return when(new CompleteTask(task, t.run(), t.attempt(), json("{'ok': true}"), at));
        }

        List<ExecutionEvent> signal(String name, String id, String payload, Instant at) {
            return when(new Signal(name, id, payload == null ? null : json(payload), "api", at));
        }

        TaskState task(String id) {
            return state.task(id);
        }

        /** Today's engine decides this history the same, so the HistoryVerifier accepts it. */
        void verifies() {
            HistoryVerifier.Report report = new HistoryVerifier(decider, HistoryService::storedForm)
                    .verify(history, wf);
            assertThat(report.divergence()).as(String.valueOf(report.divergence())).isNull();
        }
    }

    static <T> List<T> only(List<ExecutionEvent> events, Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Nested
    @DisplayName("when a signal arrives before its wait starts")
    class Before {
        @Test
        void itIsKeptAndTheWaitConsumesItInTheDecisionThatStartsIt() {
            Spec spec = new Spec(DAG).started();
            List<ExecutionEvent> received = spec.signal("approval", "s1", "{'approved': true, 'by': 'ann'}", T1);
            assertThat(received).containsExactly(new SignalReceived("approval", "s1",
                    json("{'approved': true, 'by': 'ann'}"), "api", T1));
            assertThat(spec.state.signals().next("approval").signalId()).isEqualTo("s1");
            assertThat(spec.task("wait").status()).isEqualTo(TaskStatus.PENDING);

            List<ExecutionEvent> events = spec.complete("submit", T2);
            assertThat(events).extracting(e -> e.getClass().getSimpleName()).containsSubsequence(
                    "TaskCompleted", "TaskScheduled", "TaskStarted", "SignalConsumed", "TaskCompleted",
                    "TaskScheduled", "TaskStarted");
            assertThat(only(events, SignalConsumed.class)).containsExactly(
                    new SignalConsumed("wait", 1, "approval", "s1", T2));
            assertThat(spec.task("wait").output()).isEqualTo(json("{'approved': true, 'by': 'ann'}"));
            assertThat(only(events, TaskScheduled.class)).filteredOn(s -> s.taskId().equals("after"))
                    .extracting(TaskScheduled::input).containsExactly(json("{'approved': true, 'by': 'ann'}"));
            assertThat(spec.state.signals().pending()).isEmpty();
            spec.complete("after", T2);
            assertThat(spec.state.status()).isEqualTo(ExecutionStatus.COMPLETED);
            spec.verifies();
        }

        @Test
        void aSignalOfAnotherNameIsKeptAndLeavesTheWaitWaiting() {
            Spec spec = new Spec(DAG).started();
            spec.signal("payment", "p1", "{'paid': 5}", T1);
            spec.complete("submit", T2);
            assertThat(spec.task("wait").status()).isEqualTo(TaskStatus.RUNNING);
            assertThat(spec.state.signals().next("payment").signalId()).isEqualTo("p1");
            spec.verifies();
        }

        @Test
        void theOldestKeptSignalIsTakenAndTheExpressionsSeeTheLatest() {
            Spec spec = new Spec(DAG).started();
            spec.signal("approval", "s1", "{'approved': false, 'by': 'ann'}", T1);
            spec.signal("approval", "s2", "{'approved': true, 'by': 'bob'}", T1.plusMillis(1));
            List<ExecutionEvent> events = spec.complete("submit", T2);
            assertThat(only(events, SignalConsumed.class)).extracting(SignalConsumed::signalId).containsExactly("s1");
            assertThat(only(events, TaskScheduled.class)).filteredOn(s -> s.taskId().equals("after"))
                    .extracting(TaskScheduled::input).containsExactly(json("{'approved': true, 'by': 'ann'}"));
            assertThat(spec.state.signals().next("approval").signalId()).isEqualTo("s2");
            spec.verifies();
        }
    }

    @Nested
    @DisplayName("when a signal arrives while its wait runs")
    class After {
        @Test
        void itCompletesTheWaitWithThePayloadAsItsOutput() {
            Spec spec = new Spec(DAG).started();
            spec.complete("submit", T1);
            assertThat(spec.task("wait").status()).isEqualTo(TaskStatus.RUNNING);
            List<ExecutionEvent> events = spec.signal("approval", "s1", "{'approved': true, 'by': 'ann'}", T2);
            assertThat(events.subList(0, 3)).containsExactly(
                    new SignalReceived("approval", "s1", json("{'approved': true, 'by': 'ann'}"), "api", T2),
                    new SignalConsumed("wait", 1, "approval", "s1", T2),
                    new TaskCompleted("wait", 1, 1, json("{'approved': true, 'by': 'ann'}"), T2));
            assertThat(only(events, TaskStarted.class)).extracting(TaskStarted::taskId).containsExactly("after");
            assertThat(spec.state.signals().pending()).isEmpty();
            spec.verifies();
        }

        @Test
        void aSignalWithoutPayloadCompletesTheWaitWithNull() {
            Spec spec = new Spec(DAG).started();
            spec.complete("submit", T1);
            spec.signal("approval", "s1", null, T2);
            assertThat(spec.task("wait").output()).isEqualTo(NullNode.getInstance());
            assertThat(spec.state.signals().view().get("approval")).isEqualTo(NullNode.getInstance());
            spec.verifies();
        }

        @Test
        void theSameIdAgainRecordsNothing() {
            Spec spec = new Spec(DAG).started();
            spec.signal("approval", "s1", "{'approved': true}", T1);
            assertThat(spec.signal("approval", "s1", "{'approved': false}", T2)).isEmpty();
            assertThat(spec.state.signals().received()).isEqualTo(1);
            assertThat(spec.state.signals().pending().get("approval")).hasSize(1);
        }

        @Test
        void ofTwoWaitsForOneNameTheOneThatStartedFirstTakesItAndTheOtherWaitsForTheNext() {
            WorkflowDefinition wf = workflow("""
                    {'name': 'two', 'max_parallel_tasks': 10, 'tasks': [
                       {'id': 'a', 'component': 'core', 'action': 'echo'},
                       {'id': 'late', 'component': 'core', 'action': 'wait_for_signal', 'depends_on': ['a'],
                        'input': {'name': 'go'}},
                       {'id': 'early', 'component': 'core', 'action': 'wait_for_signal', 'input': {'name': 'go'}}]}
                    """);
            Spec spec = new Spec(wf).started();
            spec.complete("a", T1); // 'late' starts at T1, 'early' ran since T0
            List<ExecutionEvent> first = spec.signal("go", "g1", "1", T2);
            assertThat(only(first, SignalConsumed.class)).extracting(SignalConsumed::taskId).containsExactly("early");
            assertThat(spec.task("late").status()).isEqualTo(TaskStatus.RUNNING);
            List<ExecutionEvent> second = spec.signal("go", "g2", "2", T2.plusMillis(1));
            assertThat(only(second, SignalConsumed.class)).extracting(SignalConsumed::taskId).containsExactly("late");
            assertThat(spec.task("late").output()).isEqualTo(json("2"));
            assertThat(spec.state.status()).isEqualTo(ExecutionStatus.COMPLETED);
            spec.verifies();
        }

        @Test
        void twoWaitsStartedTogetherAreServedInDefinitionOrder() {
            WorkflowDefinition wf = workflow("""
                    {'name': 'two', 'max_parallel_tasks': 10, 'tasks': [
                       {'id': 'w1', 'component': 'core', 'action': 'wait_for_signal', 'input': {'name': 'go'}},
                       {'id': 'w2', 'component': 'core', 'action': 'wait_for_signal', 'input': {'name': 'go'}}]}
                    """);
            Spec spec = new Spec(wf).started();
            assertThat(only(spec.signal("go", "g1", "1", T1), SignalConsumed.class))
                    .extracting(SignalConsumed::taskId).containsExactly("w1");
            spec.verifies();
        }
    }

    @Nested
    @DisplayName("when the execution is paused or finished")
    class Status {
        @Test
        void aPausedExecutionRecordsTheSignalTheWaitCompletesAndNothingStartsUntilResumed() {
            Spec spec = new Spec(DAG).started();
            spec.complete("submit", T1);
            spec.when(new Pause("lunch", T1.plusMillis(1)));
            List<ExecutionEvent> events = spec.signal("approval", "s1", "{'approved': true, 'by': 'ann'}", T2);
            assertThat(events).extracting(e -> e.getClass().getSimpleName())
                    .startsWith("SignalReceived", "SignalConsumed", "TaskCompleted").doesNotContain("TaskStarted");
            assertThat(spec.task("after").status()).isNotEqualTo(TaskStatus.RUNNING);
            List<ExecutionEvent> resumed = spec.when(new Resume(T2.plusSeconds(1)));
            assertThat(only(resumed, TaskStarted.class)).extracting(TaskStarted::taskId).containsExactly("after");
            spec.verifies();
        }

        @Test
        void aFinishedExecutionRefusesItNamingItsStatus() {
            Spec spec = new Spec(DAG).started();
            spec.signal("approval", "s1", "{'approved': true, 'by': 'ann'}", T1);
            spec.complete("submit", T1);
            spec.complete("after", T1);
            assertThat(spec.state.status()).isEqualTo(ExecutionStatus.COMPLETED);
            assertThatThrownBy(() -> spec.signal("approval", "s2", "{}", T2)).isInstanceOf(CommandRejected.class)
                    .hasMessageContaining(ID).hasMessageContaining("COMPLETED");
        }

        @Test
        void aFinishedExecutionAcceptsARetryOfASignalItReceivedAndRecordsNothing() {
            Spec spec = new Spec(DAG).started();
            spec.signal("approval", "s1", "{'approved': true, 'by': 'ann'}", T1);
            spec.complete("submit", T1);
            spec.complete("after", T1);
            assertThat(spec.signal("approval", "s1", "{'approved': true, 'by': 'ann'}", T2)).isEmpty();
        }
    }

    @Nested
    @DisplayName("when no signal comes in time")
    class Timeout {
        @Test
        void theWaitsTimeoutIsItsAttemptsDeadlineAndTheMessageNamesTheSignal() {
            Spec spec = new Spec(MACHINE).started();
            assertThat(spec.task("wait").deadline()).isEqualTo(T0.plusMillis(1000));
            List<ExecutionEvent> events = spec.when(new TimeOutTask("wait", 1, 1, 0.5, T0.plusMillis(1000)));
            assertThat(events.get(0)).isEqualTo(new TaskTimedOut("wait", 1, 1, T0.plusMillis(1000)));
            assertThat(only(events, TaskRetryScheduled.class)).singleElement().satisfies(r -> {
                assertThat(r.errorType()).isEqualTo("TIMEOUT");
                assertThat(r.message()).contains("'wait'").contains("1000 ms").contains("signal 'approval'");
            });
            spec.verifies();
        }

        @Test
        void afterItsRetriesTheStepFailsWithTimeoutAndItsOnErrorRouteIsTaken() {
            Spec spec = new Spec(MACHINE).started();
            spec.when(new TimeOutTask("wait", 1, 1, 0.5, T0.plusMillis(1000)));
            Instant retryAt = spec.task("wait").retryAt();
            spec.when(new WakeUp(retryAt));
            assertThat(spec.task("wait").attempt()).isEqualTo(2);
            assertThat(spec.task("wait").deadline()).isEqualTo(retryAt.plusMillis(1000));
            List<ExecutionEvent> events = spec.when(new TimeOutTask("wait", 1, 2, 0.5, retryAt.plusMillis(1000)));
            assertThat(only(events, TaskFailed.class)).extracting(TaskFailed::taskId, TaskFailed::errorType)
                    .containsExactly(tuple("wait", "TIMEOUT"));
            assertThat(only(events, TransitionTaken.class)).extracting(TransitionTaken::toTask, TransitionTaken::via)
                    .containsExactly(tuple("expired", "on_error"));
            assertThat(spec.task("expired").input().get("why").asText()).isEqualTo("TIMEOUT");
            assertThat(spec.task("expired").input().get("msg").asText()).contains("signal 'approval'");
            spec.verifies();
        }

        @Test
        void aSignalBeforeTheDeadlineTakesTheNormalRoute() {
            Spec spec = new Spec(MACHINE).started();
            List<ExecutionEvent> events = spec.signal("approval", "s1", "{'approved': true}", T0.plusMillis(500));
            assertThat(only(events, TransitionTaken.class)).extracting(TransitionTaken::toTask)
                    .containsExactly("approved");
            // the attempt's timer, if it still fires, finds nothing running
            assertThat(spec.when(new TimeOutTask("wait", 1, 1, 0.5, T0.plusMillis(1000)))).isEmpty();
            spec.verifies();
        }

        @Test
        void aTaskTimeoutShorterThanTheWaitsWins() {
            WorkflowDefinition wf = workflow("""
                    {'name': 'short', 'tasks': [
                       {'id': 'w', 'component': 'core', 'action': 'wait_for_signal', 'timeout_ms': 200,
                        'input': {'name': 'x', 'timeout_ms': 60000}}]}""");
            Spec spec = new Spec(wf).started();
            assertThat(spec.task("w").deadline()).isEqualTo(T0.plusMillis(200));
        }

        @Test
        void aWaitWithoutTimeoutHasNoDeadline() {
            Spec spec = new Spec(DAG).started();
            spec.complete("submit", T1);
            assertThat(spec.task("wait").deadline()).isNull();
        }

        @Test
        void aTimedOutWaitRunsTheDagsTimeoutHandler() {
            WorkflowDefinition wf = workflow("""
                    {'name': 'handled', 'tasks': [
                       {'id': 'w', 'component': 'core', 'action': 'wait_for_signal',
                        'input': {'name': 'approval', 'timeout_ms': 100}},
                       {'id': 'h', 'component': 'core', 'action': 'echo', 'input': {'t': '${error.type}'}}],
                     'error_handlers': [{'error_type': 'TIMEOUT', 'handler_task': 'h'}]}""");
            Spec spec = new Spec(wf).started();
            List<ExecutionEvent> events = spec.when(new TimeOutTask("w", 1, 1, 0.5, T0.plusMillis(100)));
            assertThat(only(events, TransitionTaken.class)).extracting(TransitionTaken::toTask,
                    TransitionTaken::via).containsExactly(tuple("h", TransitionTaken.VIA_ERROR_HANDLER));
            assertThat(spec.task("h").input()).isEqualTo(json("{'t': 'TIMEOUT'}"));
            spec.verifies();
        }
    }

    @Nested
    @DisplayName("for_each items")
    class Items {
        @Test
        void eachItemWaitsForItsOwnSignal() {
            WorkflowDefinition wf = workflow("""
                    {'name': 'each', 'tasks': [
                       {'id': 'w', 'component': 'core', 'action': 'wait_for_signal', 'for_each': '${input.items}',
                        'input': {'name': 'approval_${item}'}}]}""");
            Spec spec = new Spec(wf);
            spec.when(new ExecutionCommand.Start(ID, json("{'items': ['a', 'b']}"), T0));
            spec.signal("approval_b", "b1", "'B'", T1);
            assertThat(spec.state.status()).isEqualTo(ExecutionStatus.RUNNING);
            List<ExecutionEvent> events = spec.signal("approval_a", "a1", "'A'", T2);
            assertThat(only(events, SignalConsumed.class)).hasSize(1);
            assertThat(spec.task("w").output()).isEqualTo(json("['A', 'B']"));
            assertThat(only(events, ExecutionCompleted.class)).hasSize(1);
            spec.verifies();
        }
    }

    @Nested
    @DisplayName("limits")
    class Limit {
        @Test
        void oneSignalAboveTheLimitIsRefusedButARetriedOneStillRecordsNothing() {
            decider = new ExecutionDecider(TestDefinitions.CEL, Limits.defaults().withMaxSignals(2));
            Spec spec = new Spec(DAG).started();
            spec.signal("a", "s1", "1", T1);
            spec.signal("b", "s2", "2", T1);
            assertThatThrownBy(() -> spec.signal("c", "s3", "3", T2)).isInstanceOf(CommandRejected.class)
                    .hasMessageContaining("at most 2 signals").hasMessageContaining(ID)
                    .hasMessageContaining("'c'").hasMessageContaining("s3");
            assertThat(spec.signal("a", "s1", "1", T2)).isEmpty();
        }
    }

    @Test
    void theStateFoldsWhatItReceivedAndWhatWasConsumed() {
        Spec spec = new Spec(DAG).started();
        spec.signal("approval", "s1", "{'approved': true, 'by': 'ann'}", T1);
        assertThat(spec.state.signals().view()).isEqualTo(json("{'approval': {'approved': true, 'by': 'ann'}}"));
        spec.complete("submit", T2);
        assertThat(spec.state.signals().seen("s1")).isTrue();
        assertThat(spec.state.signals().latest()).containsKey("approval");
        JsonNode snapshotSignals = spec.state.signals().view();
        assertThat(snapshotSignals.get("approval").get("by").asText()).isEqualTo("ann");
    }
}
