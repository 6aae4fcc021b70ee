package io.harmonia.domain;

import static io.harmonia.domain.TestDefinitions.json;
import static io.harmonia.domain.TestDefinitions.workflow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.CommandRejected;
import io.harmonia.domain.execution.ExecutionCommand;
import io.harmonia.domain.execution.ExecutionCommand.Cancel;
import io.harmonia.domain.execution.ExecutionCommand.CompleteTask;
import io.harmonia.domain.execution.ExecutionCommand.FailTask;
import io.harmonia.domain.execution.ExecutionCommand.Pause;
import io.harmonia.domain.execution.ExecutionCommand.Rerun;
import io.harmonia.domain.execution.ExecutionCommand.Restore;
import io.harmonia.domain.execution.ExecutionCommand.Resume;
import io.harmonia.domain.execution.ExecutionCommand.TimeOutTask;
import io.harmonia.domain.execution.ExecutionCommand.WakeUp;
import io.harmonia.domain.execution.ExecutionDecider;
import io.harmonia.domain.execution.ExecutionEvent;
import io.harmonia.domain.execution.ExecutionEvent.CheckpointCreated;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionCanceled;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionCompleted;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionFailed;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionRerun;
import io.harmonia.domain.execution.ExecutionEvent.TaskCanceled;
import io.harmonia.domain.execution.ExecutionEvent.TaskFailed;
import io.harmonia.domain.execution.ExecutionEvent.TaskRetryScheduled;
import io.harmonia.domain.execution.ExecutionEvent.TaskScheduled;
import io.harmonia.domain.execution.ExecutionEvent.TaskStarted;
import io.harmonia.domain.execution.ExecutionEvent.TaskTimedOut;
import io.harmonia.domain.execution.ExecutionEvent.TransitionTaken;
import io.harmonia.domain.execution.ExecutionEvolver;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.domain.execution.ExecutionStatus;
import io.harmonia.domain.execution.FlowLimits;
import io.harmonia.domain.execution.Limits;
import io.harmonia.domain.execution.TaskStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** A state machine of steps, given events, when a command, then events: transitions, loops, error routes. */
class StepRulesTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Instant T1 = T0.plusSeconds(60);
    static final String ID = "00000000-0000-0000-0000-000000000001";

    /** Seed 000's approval machine (issue 12), with a TIMEOUT handler step. */
    static final String APPROVAL = """
            {'name': 'approval', 'output': {'item': '${input.item}', 'last': '${tasks.check.output.body.status}'},
             %s
             'steps': [
               {'id': 'submit', 'type': 'core.echo', 'config': {'item': '${input.item}'},
                'transitions': [{'to': 'check', 'automatic': true}]},
               {'id': 'check', 'type': 'http.request', 'config': {'url': '${input.approval_url}'},
                'retry': {'max_attempts': 3, 'jitter': false}, 'timeout_ms': 5000 %s,
                'transitions': [{'to': 'approved', 'condition': 'output.body.status == \\'APPROVED\\''},
                                {'to': 'check', 'condition': 'output.body.status == \\'PENDING\\''},
                                {'to': 'rejected'}]},
               {'id': 'approved', 'type': 'core.echo', 'config': {}},
               {'id': 'rejected', 'type': 'core.fail', 'config': {'error_type': 'CLIENT_ERROR', 'message': 'rejected'}},
               {'id': 'timeout_handler', 'type': 'core.echo',
                'config': {'why': '${error.type}', 'from': '${error.task_id}', 'run': '${error.run}'}}],
             'error_handlers': [{'error_type': 'TIMEOUT', 'handler_step': 'timeout_handler'}]}""";

    static WorkflowDefinition approval(String workflowFields, String checkFields) {
        return workflow(APPROVAL.formatted(workflowFields, checkFields));
    }

    static final WorkflowDefinition WF = approval("", "");
    static final JsonNode INPUT = json("{'item': 'laptop', 'approval_url': 'http://approvals.example/1'}");

    ExecutionDecider decider = new ExecutionDecider(TestDefinitions.CEL, new Limits(1000, 1000, 4));

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
            when(new ExecutionCommand.Start(ID, INPUT, T0));
            return this;
        }

        /** Completes the step's current attempt. */
        List<ExecutionEvent> complete(String step, String output) {
            var t = state.task(step);
            return when(new CompleteTask(step, t.run(), t.attempt(), json(output), T0));
        }

        List<ExecutionEvent> fail(String step, String type, boolean retriable) {
            var t = state.task(step);
            return when(new FailTask(step, t.run(), t.attempt(), type, type + " from " + step, retriable, 0.5, T0));
        }

        /** Submitted and now checking. */
        Spec checking() {
            started();
            complete("submit", "{'item': 'laptop'}");
            return this;
        }
    }

    static <T> List<T> only(List<ExecutionEvent> events, Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static String status(String value) {
        return "{'status': 200, 'body': {'status': '" + value + "'}}";
    }

    @Nested
    @DisplayName("when a step completes")
    class Transitions {
        @Test
        void theStartStepIsTheOnlyOneDecided() {
            Spec spec = new Spec(WF);
            List<ExecutionEvent> events = spec.when(new ExecutionCommand.Start(ID, INPUT, T0));
            assertThat(only(events, TaskScheduled.class)).containsExactly(
                    new TaskScheduled("submit", 1, json("{'item': 'laptop'}"), T0));
            assertThat(only(events, TaskStarted.class)).extracting(TaskStarted::taskId).containsExactly("submit");
        }

        @Test
        void startAtNamesAnotherStartStep() {
            Spec spec = new Spec(workflow("""
                    {'name': 'm', 'start_at': 'b', 'steps': [
                      {'id': 'a', 'type': 'core.echo'},
                      {'id': 'b', 'type': 'core.echo', 'transitions': [{'to': 'a'}]}]}"""));
            List<ExecutionEvent> events = spec.when(new ExecutionCommand.Start(ID, INPUT, T0));
            assertThat(only(events, TaskScheduled.class)).extracting(TaskScheduled::taskId).containsExactly("b");
        }

        @Test
        void anAutomaticTransitionIsTakenAndItsTargetRuns() {
            Spec spec = new Spec(WF).started();
            List<ExecutionEvent> events = spec.complete("submit", "{'item': 'laptop'}");
            assertThat(only(events, TransitionTaken.class)).containsExactly(
                    new TransitionTaken("submit", 1, "check", "transition", 0, null, null, T0));
            assertThat(only(events, TaskScheduled.class)).containsExactly(
                    new TaskScheduled("check", 1, json("{'url': 'http://approvals.example/1'}"), T0));
            assertThat(spec.state.flow().currentStep()).isEqualTo("check");
        }

        @Test
        void transitionsAreTriedInOrderWithTheStepsOutput() {
            Spec spec = new Spec(WF).checking();
            List<ExecutionEvent> events = spec.complete("check", status("APPROVED"));
            assertThat(only(events, TransitionTaken.class)).containsExactly(
                    new TransitionTaken("check", 1, "approved", "transition", 0, null, null, T0));
            assertThat(only(events, TaskStarted.class)).extracting(TaskStarted::taskId).containsExactly("approved");
        }

        @Test
        void theFirstThatHoldsWinsAndOneWithoutConditionCatchesTheRest() {
            Spec spec = new Spec(WF).checking();
            List<ExecutionEvent> events = spec.complete("check", status("DENIED"));
            assertThat(only(events, TransitionTaken.class)).extracting(TransitionTaken::toTask, TransitionTaken::index)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("rejected", 2));
        }

        @Test
        void aStepWithoutTransitionsEndsTheExecutionWithItsOutputMapping() {
            Spec spec = new Spec(WF).checking();
            spec.complete("check", status("APPROVED"));
            List<ExecutionEvent> events = spec.complete("approved", "{}");
            assertThat(events.get(events.size() - 1)).isEqualTo(new ExecutionCompleted(
                    json("{'item': 'laptop', 'last': 'APPROVED'}"), T0));
            assertThat(spec.state.task("rejected").status()).as("never reached").isEqualTo(TaskStatus.PENDING);
            assertThat(spec.state.tasks()).doesNotContainKeys("rejected", "timeout_handler");
        }

        @Test
        void noTransitionThatHoldsEndsTheExecution() {
            WorkflowDefinition wf = workflow("""
                    {'name': 'm', 'steps': [
                      {'id': 'a', 'type': 'core.echo', 'config': {'n': 1},
                       'transitions': [{'to': 'b', 'condition': 'output.n > 5'}]},
                      {'id': 'b', 'type': 'core.echo'}]}""");
            Spec spec = new Spec(wf).started();
            List<ExecutionEvent> events = spec.complete("a", "{'n': 1}");
            assertThat(only(events, TransitionTaken.class)).isEmpty();
            assertThat(spec.state.status()).isEqualTo(ExecutionStatus.COMPLETED);
        }

        @Test
        void aConditionThatCannotBeEvaluatedFailsTheExecutionNamingStepAndTransition() {
            Spec spec = new Spec(WF).checking();
            List<ExecutionEvent> events = spec.complete("check", "{'status': 200}"); // no body
            ExecutionFailed failed = only(events, ExecutionFailed.class).get(0);
            assertThat(failed.errorType()).isEqualTo("EXPRESSION_ERROR");
            assertThat(failed.taskId()).isEqualTo("check");
            assertThat(failed.message()).contains("transition 0", "step 'check'");
        }
    }

    @Nested
    @DisplayName("when a transition leads back")
    class Loops {
        @Test
        void theStepRunsAgainAsANewRun() {
            Spec spec = new Spec(WF).checking();
            List<ExecutionEvent> events = spec.complete("check", status("PENDING"));
            assertThat(only(events, TransitionTaken.class)).containsExactly(
                    new TransitionTaken("check", 1, "check", "transition", 1, null, null, T0));
            assertThat(only(events, TaskStarted.class)).containsExactly(new TaskStarted("check", 2, 1,
                    T0.plusMillis(5000), T0));
            spec.complete("check", status("PENDING"));
            spec.complete("check", status("APPROVED"));
            spec.complete("approved", "{}");
            assertThat(spec.state.status()).isEqualTo(ExecutionStatus.COMPLETED);
            assertThat(spec.state.task("check").run()).isEqualTo(3);
            assertThat(spec.state.flow().routeCount()).isEqualTo(4);
            assertThat(spec.state.flow().routes()).extracting(r -> r.from() + ":" + r.fromRun() + "->" + r.to())
                    .containsExactly("submit:1->check", "check:1->check", "check:2->check", "check:3->approved");
        }

        @Test
        void aStepsMaxIterationsStopsTheLoopWithIterationLimitExceeded() {
            Spec spec = new Spec(approval("", ", 'max_iterations': 2")).checking();
            spec.complete("check", status("PENDING"));
            List<ExecutionEvent> events = spec.complete("check", status("PENDING"));
            TaskFailed limit = only(events, TaskFailed.class).get(0);
            assertThat(limit.taskId()).isEqualTo("check");
            assertThat(limit.run()).isEqualTo(3);
            assertThat(limit.attempt()).isZero();
            assertThat(limit.errorType()).isEqualTo("ITERATION_LIMIT_EXCEEDED");
            assertThat(limit.message()).contains("step 'check'", "run 3", "limit of 2", "its max_iterations");
            ExecutionFailed failed = only(events, ExecutionFailed.class).get(0);
            assertThat(failed.errorType()).isEqualTo("ITERATION_LIMIT_EXCEEDED");
            assertThat(failed.taskId()).isEqualTo("check");
        }

        @Test
        void theWorkflowsMaxIterationsAppliesToStepsWithoutTheirOwn() {
            Spec spec = new Spec(approval("'max_iterations': 1,", "")).checking();
            List<ExecutionEvent> events = spec.complete("check", status("PENDING"));
            assertThat(only(events, TaskFailed.class)).extracting(TaskFailed::errorType, TaskFailed::run)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("ITERATION_LIMIT_EXCEEDED", 2));
            assertThat(only(events, TaskFailed.class).get(0).message()).contains("the workflow's max_iterations");
        }

        @Test
        void theEngineDefaultBoundsAMachineThatSetsNone() {
            decider = new ExecutionDecider(TestDefinitions.CEL, new Limits(1000, 1000, 4).withFlow(
                    new FlowLimits(3, 10, 2)));
            Spec spec = new Spec(WF).checking();
            spec.complete("check", status("PENDING"));
            spec.complete("check", status("PENDING"));
            List<ExecutionEvent> events = spec.complete("check", status("PENDING"));
            assertThat(only(events, TaskFailed.class).get(0).message()).contains("run 4", "limit of 3",
                    "harmonia.flow.max-iterations");
            assertThat(spec.state.status()).isEqualTo(ExecutionStatus.FAILED);
        }

        @Test
        void errorRoutesApplyToTheIterationLimit() {
            WorkflowDefinition wf = workflow("""
                    {'name': 'm', 'steps': [
                      {'id': 'poll', 'type': 'core.echo', 'max_iterations': 2,
                       'transitions': [{'to': 'poll'}],
                       'on_error': [{'error_type': 'ITERATION_LIMIT_EXCEEDED', 'to': 'give_up'}]},
                      {'id': 'give_up', 'type': 'core.echo', 'config': {'why': '${error.type}'}}]}""");
            Spec spec = new Spec(wf).started();
            spec.complete("poll", "{}");
            List<ExecutionEvent> events = spec.complete("poll", "{}");
            assertThat(only(events, TransitionTaken.class)).extracting(TransitionTaken::toTask, TransitionTaken::via)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("poll", "transition"),
                            org.assertj.core.groups.Tuple.tuple("give_up", "on_error"));
            assertThat(only(events, TaskScheduled.class)).containsExactly(new TaskScheduled("give_up", 1,
                    json("{'why': 'ITERATION_LIMIT_EXCEEDED'}"), T0));
        }
    }

    @Nested
    @DisplayName("when routes lead back to steps at their limit")
    class Exhausted {
        @Test
        void anIterationLimitFailureIsNotRoutedToAStepAtItsLimitSoTheMachineEnds() {
            WorkflowDefinition wf = workflow("""
                    {'name': 'm', 'steps': [
                      {'id': 'x', 'type': 'core.echo', 'max_iterations': 2, 'transitions': [{'to': 'x'}],
                       'on_error': [{'error_type': '*', 'to': 'x'}]}]}""");
            Spec spec = new Spec(wf).started();
            spec.complete("x", "{}");
            List<ExecutionEvent> events = spec.complete("x", "{}");
            assertThat(only(events, TaskFailed.class)).extracting(TaskFailed::errorType)
                    .containsExactly("ITERATION_LIMIT_EXCEEDED");
            assertThat(spec.state.status()).isEqualTo(ExecutionStatus.FAILED);
            assertThat(spec.state.errorType()).isEqualTo("ITERATION_LIMIT_EXCEEDED");
        }

        @Test
        void twoStepsAtTheirLimitsDoNotSendControlToEachOtherForever() {
            WorkflowDefinition wf = workflow("""
                    {'name': 'm', 'max_iterations': 1, 'steps': [
                      {'id': 'a', 'type': 'core.echo', 'transitions': [{'to': 'b'}],
                       'on_error': [{'error_type': '*', 'to': 'b'}]},
                      {'id': 'b', 'type': 'core.echo', 'transitions': [{'to': 'a'}],
                       'on_error': [{'error_type': '*', 'to': 'a'}]}]}""");
            Spec spec = new Spec(wf).started();
            spec.complete("a", "{}");
            List<ExecutionEvent> events = spec.complete("b", "{}");
            assertThat(only(events, TaskFailed.class)).hasSize(1);
            assertThat(spec.state.status()).isEqualTo(ExecutionStatus.FAILED);
        }
    }

    @Nested
    @DisplayName("when a step fails for good")
    class ErrorRoutes {
        static final WorkflowDefinition ROUTED = workflow("""
                {'name': 'm', 'steps': [
                  {'id': 'call', 'type': 'http.request', 'config': {'url': 'http://x.example'},
                   'on_error': [{'error_type': 'CLIENT_ERROR', 'to': 'bad_request'}, {'error_type': '*', 'to': 'other'}],
                   'transitions': [{'to': 'done'}]},
                  {'id': 'bad_request', 'type': 'core.echo',
                   'config': {'type': '${error.type}', 'message': '${error.message}', 'step': '${error.task_id}'}},
                  {'id': 'other', 'type': 'core.echo', 'config': {'type': '${error.type}'}},
                  {'id': 'done', 'type': 'core.echo'}]}""");

        @Test
        void itsOnErrorRoutesAreTriedInOrderByType() {
            Spec spec = new Spec(ROUTED).started();
            List<ExecutionEvent> events = spec.fail("call", "CLIENT_ERROR", false);
            assertThat(only(events, TransitionTaken.class)).containsExactly(new TransitionTaken("call", 1,
                    "bad_request", "on_error", 0, "CLIENT_ERROR", "CLIENT_ERROR from call", T0));
            assertThat(only(events, TaskScheduled.class)).containsExactly(new TaskScheduled("bad_request", 1,
                    json("{'type': 'CLIENT_ERROR', 'message': 'CLIENT_ERROR from call', 'step': 'call'}"), T0));
            assertThat(spec.state.status()).isEqualTo(ExecutionStatus.RUNNING);
            spec.complete("bad_request", "{}");
            assertThat(spec.state.status()).as("the handler ended the machine").isEqualTo(ExecutionStatus.COMPLETED);
        }

        @Test
        void aStarMatchesEveryType() {
            Spec spec = new Spec(ROUTED).started();
            List<ExecutionEvent> events = spec.fail("call", "SERVER_ERROR", false);
            assertThat(only(events, TransitionTaken.class)).extracting(TransitionTaken::toTask, TransitionTaken::index)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("other", 1));
            assertThat(only(events, TaskScheduled.class).get(0).input()).isEqualTo(json("{'type': 'SERVER_ERROR'}"));
        }

        @Test
        void aStepsOwnRoutesComeBeforeTheGlobalHandlers() {
            WorkflowDefinition wf = workflow("""
                    {'name': 'm', 'steps': [
                      {'id': 'a', 'type': 'core.echo', 'on_error': [{'error_type': 'TIMEOUT', 'to': 'own'}]},
                      {'id': 'own', 'type': 'core.echo'},
                      {'id': 'global', 'type': 'core.echo'}],
                     'error_handlers': [{'error_type': '*', 'handler_step': 'global'}]}""");
            Spec spec = new Spec(wf).started();
            assertThat(only(spec.fail("a", "TIMEOUT", false), TransitionTaken.class)).extracting(
                    TransitionTaken::toTask).containsExactly("own");
            Spec other = new Spec(wf).started();
            assertThat(only(other.fail("a", "SERVER_ERROR", false), TransitionTaken.class)).extracting(
                    TransitionTaken::toTask, TransitionTaken::via).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("global", "error_handler"));
        }

        @Test
        void noRouteFailsTheExecutionWithTheStepsError() {
            Spec spec = new Spec(WF).checking();
            List<ExecutionEvent> events = spec.fail("check", "CLIENT_ERROR", false);
            assertThat(events.get(events.size() - 1)).isEqualTo(new ExecutionFailed("CLIENT_ERROR",
                    "step 'check' failed: CLIENT_ERROR from check", "check", T0));
        }

        @Test
        void aCoreFailStepFailsTheExecution() {
            Spec spec = new Spec(WF).checking();
            spec.complete("check", status("DENIED"));
            spec.fail("rejected", "CLIENT_ERROR", false);
            assertThat(spec.state.status()).isEqualTo(ExecutionStatus.FAILED);
            assertThat(spec.state.errorType()).isEqualTo("CLIENT_ERROR");
            assertThat(spec.state.failedTaskId()).isEqualTo("rejected");
        }

        @Test
        void aGlobalHandlerDoesNotCatchItsOwnFailure() {
            Spec spec = new Spec(WF).checking();
            spec.when(new TimeOutTask("check", 1, 1, 0.5, T0.plusMillis(5000)));
            spec.when(new WakeUp(T1));
            spec.when(new TimeOutTask("check", 1, 2, 0.5, T1.plusMillis(5000)));
            spec.when(new WakeUp(T1.plusSeconds(60)));
            spec.when(new TimeOutTask("check", 1, 3, 0.5, T1.plusSeconds(65)));
            assertThat(spec.state.task("timeout_handler").status()).isEqualTo(TaskStatus.RUNNING);
            var t = spec.state.task("timeout_handler");
            List<ExecutionEvent> events = spec.when(new FailTask("timeout_handler", t.run(), t.attempt(), "TIMEOUT",
                    "slow handler", false, 0.5, T1.plusSeconds(70)));
            assertThat(only(events, TransitionTaken.class)).isEmpty();
            assertThat(spec.state.status()).isEqualTo(ExecutionStatus.FAILED);
            assertThat(spec.state.failedTaskId()).isEqualTo("timeout_handler");
        }

        @Test
        void aFailureBeforeTheFirstAttemptIsRoutedToo() {
            WorkflowDefinition wf = workflow("""
                    {'name': 'm', 'steps': [
                      {'id': 'a', 'type': 'core.echo', 'config': {'v': '${input.missing.deep}'}},
                      {'id': 'h', 'type': 'core.echo', 'config': {'why': '${error.type}'}}],
                     'error_handlers': [{'error_type': 'EXPRESSION_ERROR', 'handler_step': 'h'}]}""");
            Spec spec = new Spec(wf);
            List<ExecutionEvent> events = spec.when(new ExecutionCommand.Start(ID, json("{}"), T0));
            assertThat(only(events, TaskFailed.class)).extracting(TaskFailed::taskId, TaskFailed::attempt)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("a", 0));
            assertThat(only(events, TaskScheduled.class)).containsExactly(new TaskScheduled("h", 1,
                    json("{'why': 'EXPRESSION_ERROR'}"), T0));
        }
    }

    @Nested
    @DisplayName("retries, timeouts, pause and cancel in a machine")
    class Lifecycle {
        @Test
        void aStepRetriesBeforeItsTransitionsAreTried() {
            Spec spec = new Spec(WF).checking();
            List<ExecutionEvent> failed = spec.fail("check", "SERVER_ERROR", true);
            assertThat(only(failed, TaskRetryScheduled.class)).hasSize(1);
            assertThat(only(failed, TransitionTaken.class)).isEmpty();
            List<ExecutionEvent> woke = spec.when(new WakeUp(T1));
            assertThat(only(woke, TaskStarted.class)).containsExactly(new TaskStarted("check", 1, 2,
                    T1.plusMillis(5000), T1));
            List<ExecutionEvent> done = spec.complete("check", status("APPROVED"));
            assertThat(only(done, TransitionTaken.class)).extracting(TransitionTaken::fromRun,
                    TransitionTaken::toTask).containsExactly(org.assertj.core.groups.Tuple.tuple(1, "approved"));
        }

        @Test
        void aStepThatTimesOutForGoodIsRoutedByTheTimeoutHandlerWhichSeesTheError() {
            Spec spec = new Spec(WF)
                    .checking();
            spec.when(new TimeOutTask("check", 1, 1, 0.5, T0.plusMillis(5000)));
            spec.when(new WakeUp(T1));
            spec.when(new TimeOutTask("check", 1, 2, 0.5, T1.plusMillis(5000)));
            spec.when(new WakeUp(T1.plusSeconds(60)));
            List<ExecutionEvent> events = spec.when(new TimeOutTask("check", 1, 3, 0.5, T1.plusSeconds(65)));
            assertThat(only(events, TaskTimedOut.class)).hasSize(1);
            assertThat(only(events, TaskFailed.class)).extracting(TaskFailed::errorType).containsExactly("TIMEOUT");
            TransitionTaken route = only(events, TransitionTaken.class).get(0);
            assertThat(route.via()).isEqualTo("error_handler");
            assertThat(route.index()).isZero();
            assertThat(route.errorType()).isEqualTo("TIMEOUT");
            assertThat(only(events, TaskScheduled.class)).containsExactly(new TaskScheduled("timeout_handler", 1,
                    json("{'why': 'TIMEOUT', 'from': 'check', 'run': 1}"), T1.plusSeconds(65)));
            assertThat(spec.state.flow().errorFor("timeout_handler").path("message").asText())
                    .contains("timed out");
        }

        @Test
        void aPausedMachineDecidesTheNextStepButStartsItOnlyWhenResumed() {
            Spec spec = new Spec(WF).checking();
            spec.when(new Pause("hold", T0));
            List<ExecutionEvent> events = spec.complete("check", status("APPROVED"));
            assertThat(only(events, TaskScheduled.class)).extracting(TaskScheduled::taskId).containsExactly("approved");
            assertThat(only(events, TaskStarted.class)).isEmpty();
            assertThat(only(spec.when(new Resume(T1)), TaskStarted.class)).extracting(TaskStarted::taskId)
                    .containsExactly("approved");
        }

        @Test
        void cancelEndsTheActiveStepAndLeavesStepsNeverReachedAlone() {
            Spec spec = new Spec(WF).checking();
            List<ExecutionEvent> events = spec.when(new Cancel("no longer needed", T1));
            assertThat(only(events, TaskCanceled.class)).extracting(TaskCanceled::taskId).containsExactly("check");
            assertThat(events.get(events.size() - 1)).isInstanceOf(ExecutionCanceled.class);
            assertThat(events).hasSize(2);
        }
    }

    @Nested
    @DisplayName("history: re-run and restore")
    class History {
        @Test
        void aRerunWithoutFromTaskRestartsTheMachineAtTheStepThatFailedIt() {
            Spec spec = new Spec(WF).checking();
            spec.fail("check", "CLIENT_ERROR", false);
            List<ExecutionEvent> events = spec.when(new Rerun(null, T1));
            assertThat(events.get(0)).isEqualTo(new ExecutionRerun(null, List.of("check"), null, T1));
            assertThat(only(events, TaskStarted.class)).containsExactly(new TaskStarted("check", 2, 1,
                    T1.plusMillis(5000), T1));
            spec.complete("check", status("APPROVED"));
            spec.complete("approved", "{}");
            assertThat(spec.state.status()).isEqualTo(ExecutionStatus.COMPLETED);
        }

        @Test
        void aRerunFromAStepRestartsTheMachineThere() {
            Spec spec = new Spec(WF).checking();
            spec.complete("check", status("APPROVED"));
            spec.complete("approved", "{}");
            List<ExecutionEvent> events = spec.when(new Rerun("submit", T1));
            assertThat(only(events, TaskScheduled.class)).extracting(TaskScheduled::taskId, TaskScheduled::run)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("submit", 2));
            assertThat(spec.state.running()).isEqualTo(1);
        }

        @Test
        void aRerunOfACompletedMachineWithoutFromTaskIsRefused() {
            Spec spec = new Spec(WF).checking();
            spec.complete("check", status("APPROVED"));
            spec.complete("approved", "{}");
            assertThatThrownBy(() -> spec.when(new Rerun(null, T1))).isInstanceOf(CommandRejected.class)
                    .hasMessageContaining("from_task");
        }

        @Test
        void aRestoredMachineContinuesAtTheCheckpointsCurrentStep() {
            Spec spec = new Spec(WF).checking();
            spec.complete("check", status("PENDING")); // check run 2 is running
            CheckpointCreated cp = (CheckpointCreated) spec.when(new ExecutionCommand.Checkpoint(T0)).get(0);
            Spec copy = new Spec(WF);
            List<ExecutionEvent> events = copy.when(new Restore("00000000-0000-0000-0000-000000000002",
                    cp.checkpointId(), cp.snapshot(), T1));
            assertThat(only(events, TaskScheduled.class)).extracting(TaskScheduled::taskId).containsExactly("check");
            assertThat(copy.state.running()).isEqualTo(1);
            assertThat(copy.state.task("submit").status()).isEqualTo(TaskStatus.COMPLETED);
        }

        @Test
        void aMachineRestoredFromACheckpointOfItsEndRetriesTheLastStepsTransitions() {
            Spec spec = new Spec(WF).checking();
            spec.complete("check", status("APPROVED"));
            spec.complete("approved", "{}");
            CheckpointCreated cp = (CheckpointCreated) spec.when(new ExecutionCommand.Checkpoint(T1)).get(0);
            Spec copy = new Spec(WF);
            copy.when(new Restore("00000000-0000-0000-0000-000000000002", cp.checkpointId(), cp.snapshot(), T1));
            assertThat(copy.state.status()).isEqualTo(ExecutionStatus.COMPLETED);
            assertThat(copy.state.output()).isEqualTo(json("{'item': 'laptop', 'last': 'APPROVED'}"));
        }
    }
}
