package io.harmonia.domain;

import static io.harmonia.domain.TestDefinitions.json;
import static io.harmonia.domain.TestDefinitions.workflow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.domain.definition.InvalidRequest;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.ExecutionCommand;
import io.harmonia.domain.execution.ExecutionCommand.Cancel;
import io.harmonia.domain.execution.ExecutionCommand.CompleteTask;
import io.harmonia.domain.execution.ExecutionCommand.FailTask;
import io.harmonia.domain.execution.ExecutionCommand.Pause;
import io.harmonia.domain.execution.ExecutionCommand.Rerun;
import io.harmonia.domain.execution.ExecutionCommand.Resume;
import io.harmonia.domain.execution.ExecutionDecider;
import io.harmonia.domain.execution.ExecutionEvent;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionCanceled;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionCompleted;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionFailed;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionRerun;
import io.harmonia.domain.execution.ExecutionEvent.TaskCanceled;
import io.harmonia.domain.execution.ExecutionEvent.TaskScheduled;
import io.harmonia.domain.execution.ExecutionEvent.TaskSkipped;
import io.harmonia.domain.execution.ExecutionEvent.TaskStarted;
import io.harmonia.domain.execution.ExecutionEvent.TransitionTaken;
import io.harmonia.domain.execution.ExecutionEvolver;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.domain.execution.ExecutionStatus;
import io.harmonia.domain.execution.Limits;
import io.harmonia.domain.execution.TaskState;
import io.harmonia.domain.execution.TaskStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Trigger rules ({@code run_if}) and a DAG's error handlers: given events, when a command, then events. */
class DagRulesTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Instant T1 = T0.plusSeconds(1);
    static final String ID = "00000000-0000-0000-0000-000000000002";
    final ExecutionDecider decider = new ExecutionDecider(TestDefinitions.CEL, new Limits(100_000, 100_000, 16));

    final class Spec {
        final WorkflowDefinition wf;
        ExecutionState state = ExecutionState.initial();

        Spec(WorkflowDefinition wf) {
            this.wf = wf;
        }

        List<ExecutionEvent> when(ExecutionCommand command) {
            List<ExecutionEvent> events = decider.decide(command, state, wf);
            state = ExecutionEvolver.fold(state, events);
            return events;
        }

        Spec started() {
            when(new ExecutionCommand.Start(ID, json("{}"), T0));
            return this;
        }

        List<ExecutionEvent> complete(String task) {
            TaskState t = state.task(task);
            return when(new CompleteTask(task, t.run(), t.attempt(), json("{'ok': true}"), T1));
        }

        List<ExecutionEvent> fail(String task, String type) {
            TaskState t = state.task(task);
            return when(new FailTask(task, t.run(), t.attempt(), type, task + " broke", false, 0.5, T1));
        }

        TaskState task(String id) {
            return state.task(id);
        }

        /** "RUNNING", or "SKIPPED:<reason>", or the status. */
        String outcome(String id) {
            TaskState t = state.task(id);
            return t.status() == TaskStatus.SKIPPED ? "SKIPPED:" + t.errorType() : t.status().name();
        }
    }

    static <T> List<T> only(List<ExecutionEvent> events, Class<T> type) {
        List<T> out = new ArrayList<>();
        events.stream().filter(type::isInstance).map(type::cast).forEach(out::add);
        return out;
    }

    /**
     * Roots {@code ok} (completes), {@code bad} (fails), {@code skip} (condition false), {@code slow} (runs on);
     * {@code up} depends on bad (so it is skipped with UPSTREAM_FAILED); {@code t} depends on {@code deps} with
     * {@code run_if}; {@code after} depends on t.
     */
    static WorkflowDefinition matrix(String runIf, String deps) {
        String depList = java.util.Arrays.stream(deps.split(" ")).map(d -> "'" + d + "'")
                .collect(Collectors.joining(", "));
        return workflow("""
                {'name': 'run-if', 'max_parallel_tasks': 10, 'tasks': [
                  {'id': 'ok', 'component': 'core', 'action': 'echo'},
                  {'id': 'bad', 'component': 'core', 'action': 'echo'},
                  {'id': 'skip', 'component': 'core', 'action': 'echo', 'condition': 'false'},
                  {'id': 'slow', 'component': 'core', 'action': 'echo'},
                  {'id': 'up', 'component': 'core', 'action': 'echo', 'depends_on': ['bad']},
                  {'id': 't', 'component': 'core', 'action': 'echo', 'depends_on': [%s], 'run_if': '%s'},
                  {'id': 'after', 'component': 'core', 'action': 'echo', 'depends_on': ['t']}]}"""
                .formatted(depList, runIf));
    }

    @Nested
    @DisplayName("run_if: when every dependency has ended")
    class RunIfOutcomes {
        /** run_if, dependencies, outcome of t after ok completed and bad failed. */
        static final String[] CASES = {
            "none_failed,   ok,       RUNNING",
            "none_failed,   bad,      SKIPPED:UPSTREAM_FAILED",
            "none_failed,   skip,     RUNNING",
            "none_failed,   up,       SKIPPED:UPSTREAM_FAILED",
            "none_failed,   ok skip,  RUNNING",
            "all_succeeded, ok,       RUNNING",
            "all_succeeded, bad,      SKIPPED:UPSTREAM_FAILED",
            "all_succeeded, skip,     SKIPPED:UPSTREAM_SKIPPED",
            "all_succeeded, up,       SKIPPED:UPSTREAM_FAILED",
            "all_succeeded, ok skip,  SKIPPED:UPSTREAM_SKIPPED",
            "all_succeeded, skip bad, SKIPPED:UPSTREAM_FAILED",
            "all_done,      ok,       RUNNING",
            "all_done,      bad,      RUNNING",
            "all_done,      skip,     RUNNING",
            "all_done,      up,       RUNNING",
            "all_done,      ok bad,   RUNNING",
            "any_failed,    ok,       SKIPPED:RUN_IF_UNMET",
            "any_failed,    bad,      RUNNING",
            "any_failed,    skip,     SKIPPED:RUN_IF_UNMET",
            "any_failed,    up,       RUNNING",
            "any_failed,    ok skip,  SKIPPED:RUN_IF_UNMET",
            "any_succeeded, ok,       RUNNING",
            "any_succeeded, bad,      SKIPPED:UPSTREAM_FAILED",
            "any_succeeded, skip,     SKIPPED:RUN_IF_UNMET",
            "any_succeeded, up,       SKIPPED:UPSTREAM_FAILED",
            "any_succeeded, skip bad, SKIPPED:UPSTREAM_FAILED",
            "any_succeeded, ok bad,   RUNNING",
        };

        @Test
        void theRuleDecidesForEveryOutcomeOfTheDependencies() {
            org.assertj.core.api.SoftAssertions soft = new org.assertj.core.api.SoftAssertions();
            for (String c : CASES) {
                String[] f = c.split(",");
                Spec spec = new Spec(matrix(f[0].trim(), f[1].trim())).started();
                spec.complete("ok");
                spec.fail("bad", "CLIENT_ERROR");
                soft.assertThat(spec.outcome("t")).as(c).isEqualTo(f[2].trim());
            }
            soft.assertAll();
        }

        @Test
        void aTaskSkippedByItsRuleIsDoneNotFailedForItsDependents() {
            for (String[] c : new String[][] {{"all_succeeded", "skip", "UPSTREAM_SKIPPED"},
                    {"any_failed", "ok", "RUN_IF_UNMET"}}) {
                Spec spec = new Spec(matrix(c[0], c[1])).started();
                spec.complete("ok");
                assertThat(spec.outcome("t")).as(c[0]).isEqualTo("SKIPPED:" + c[2]);
                assertThat(spec.outcome("after")).as(c[0]).isEqualTo("RUNNING");
            }
        }

        @Test
        void aDependentOfATaskSkippedForAFailureIsSkippedForItToo() {
            Spec spec = new Spec(matrix("any_succeeded", "bad")).started();
            spec.fail("bad", "CLIENT_ERROR");
            assertThat(spec.outcome("after")).isEqualTo("SKIPPED:UPSTREAM_FAILED");
        }

        @Test
        void theConditionStillAppliesAfterTheRuleLetsTheTaskRun() {
            WorkflowDefinition wf = workflow("""
                    {'name': 'cond', 'tasks': [
                      {'id': 'bad', 'component': 'core', 'action': 'echo'},
                      {'id': 't', 'component': 'core', 'action': 'echo', 'depends_on': ['bad'], 'run_if': 'any_failed',
                       'condition': 'size(tasks.bad.error.type) == 0'}]}""");
            Spec spec = new Spec(wf).started();
            spec.fail("bad", "CLIENT_ERROR");
            assertThat(spec.outcome("t")).isEqualTo("SKIPPED:CONDITION_FALSE");
        }

        @Test
        void allRulesButAnyWaitForEveryDependency() {
            for (String rule : List.of("none_failed", "all_succeeded", "all_done")) {
                Spec spec = new Spec(matrix(rule, "bad slow")).started();
                spec.fail("bad", "CLIENT_ERROR");
                assertThat(spec.outcome("t")).as(rule).isEqualTo("PENDING");
                spec.complete("slow");
                assertThat(spec.task("t").status().terminal() || spec.task("t").status() == TaskStatus.RUNNING)
                        .as(rule).isTrue();
            }
        }
    }

    @Nested
    @DisplayName("run_if any_*: decided as soon as one dependency says so")
    class Eager {
        @Test
        void anyFailedRunsWhenTheFirstDependencyFailsWhileOthersStillRun() {
            Spec spec = new Spec(matrix("any_failed", "slow bad")).started();
            List<ExecutionEvent> events = spec.fail("bad", "CLIENT_ERROR");
            assertThat(only(events, TaskScheduled.class)).extracting(TaskScheduled::taskId).contains("t");
            assertThat(spec.outcome("slow")).isEqualTo("RUNNING");
            assertThat(spec.complete("slow")).noneMatch(e -> e instanceof TaskScheduled s && s.taskId().equals("t"));
        }

        @Test
        void anyFailedRunsForADependencySkippedBecauseOfAFailure() {
            Spec spec = new Spec(matrix("any_failed", "slow up")).started();
            spec.fail("bad", "CLIENT_ERROR");
            assertThat(spec.outcome("t")).isEqualTo("RUNNING");
        }

        @Test
        void anyFailedWaitsWhileNoneFailedAndNotAllEnded() {
            Spec spec = new Spec(matrix("any_failed", "ok slow")).started();
            spec.complete("ok");
            assertThat(spec.outcome("t")).isEqualTo("PENDING");
            spec.complete("slow");
            assertThat(spec.outcome("t")).isEqualTo("SKIPPED:RUN_IF_UNMET");
        }

        @Test
        void anySucceededRunsWhenTheFirstDependencyCompletes() {
            Spec spec = new Spec(matrix("any_succeeded", "slow ok")).started();
            List<ExecutionEvent> events = spec.complete("ok");
            assertThat(only(events, TaskStarted.class)).extracting(TaskStarted::taskId).contains("t");
            assertThat(spec.outcome("slow")).isEqualTo("RUNNING");
        }

        @Test
        void anySucceededWaitsAfterAFailureUntilAllEnded() {
            Spec spec = new Spec(matrix("any_succeeded", "bad slow")).started();
            spec.fail("bad", "CLIENT_ERROR");
            assertThat(spec.outcome("t")).isEqualTo("PENDING");
            spec.complete("slow");
            assertThat(spec.outcome("t")).isEqualTo("RUNNING");
        }
    }

    @Nested
    @DisplayName("the execution's outcome")
    class Outcome {
        @Test
        void aCleanupThatRanBecauseOfAFailureDoesNotTurnTheFailureIntoSuccess() {
            WorkflowDefinition wf = workflow("""
                    {'name': 'cleanup', 'tasks': [
                      {'id': 'work', 'component': 'core', 'action': 'echo'},
                      {'id': 'report', 'component': 'core', 'action': 'echo', 'depends_on': ['work'],
                       'run_if': 'all_done'},
                      {'id': 'undo', 'component': 'core', 'action': 'echo', 'depends_on': ['work'],
                       'run_if': 'any_failed'}]}""");
            Spec spec = new Spec(wf).started();
            spec.fail("work", "SERVER_ERROR");
            assertThat(spec.outcome("report")).isEqualTo("RUNNING");
            assertThat(spec.outcome("undo")).isEqualTo("RUNNING");
            spec.complete("report");
            List<ExecutionEvent> end = spec.complete("undo");
            assertThat(end).last().isInstanceOfSatisfying(ExecutionFailed.class, f -> {
                assertThat(f.taskId()).isEqualTo("work");
                assertThat(f.errorType()).isEqualTo("SERVER_ERROR");
            });
        }

        @Test
        void aRunIfSkipEndsACompletedExecution() {
            Spec spec = new Spec(matrix("any_failed", "ok")).started();
            spec.complete("ok");
            spec.complete("slow");
            spec.complete("after");
            List<ExecutionEvent> end = spec.fail("bad", "CLIENT_ERROR");
            assertThat(end).last().isInstanceOf(ExecutionFailed.class);
            Spec clean = new Spec(workflow("""
                    {'name': 'clean', 'tasks': [
                      {'id': 'a', 'component': 'core', 'action': 'echo'},
                      {'id': 'undo', 'component': 'core', 'action': 'echo', 'depends_on': ['a'],
                       'run_if': 'any_failed'}]}""")).started();
            List<ExecutionEvent> done = clean.complete("a");
            assertThat(only(done, TaskSkipped.class)).extracting(TaskSkipped::reason).containsExactly("RUN_IF_UNMET");
            assertThat(done).last().isInstanceOf(ExecutionCompleted.class);
        }
    }

    static final WorkflowDefinition HANDLED = workflow("""
            {'name': 'handled', 'max_parallel_tasks': 10,
             'tasks': [
               {'id': 'a', 'component': 'core', 'action': 'echo'},
               {'id': 'b', 'component': 'core', 'action': 'echo', 'depends_on': ['a']},
               {'id': 'c', 'component': 'core', 'action': 'echo', 'depends_on': ['b']},
               {'id': 'x', 'component': 'core', 'action': 'echo'},
               {'id': 'on_timeout', 'component': 'core', 'action': 'echo', 'input': {'t': '${error.type}'}},
               {'id': 'cleanup', 'component': 'core', 'action': 'echo',
                'input': {'type': '${error.type}', 'task': '${error.task_id}', 'message': '${error.message}',
                          'run': '${error.run}'}}],
             'error_handlers': [{'error_type': 'TIMEOUT', 'handler_task': 'on_timeout'},
                                {'error_type': '*', 'handler_task': 'cleanup'}]}""");

    @Nested
    @DisplayName("error handlers")
    class Handlers {
        @Test
        void handlersAreNotRootsAndWaitForAFailure() {
            Spec spec = new Spec(HANDLED).started();
            assertThat(spec.outcome("cleanup")).isEqualTo("PENDING");
            assertThat(spec.outcome("on_timeout")).isEqualTo("PENDING");
            assertThat(spec.outcome("a")).isEqualTo("RUNNING");
        }

        @Test
        void theFirstMatchingEntryRunsItsHandlerWhichSeesTheError() {
            Spec spec = new Spec(HANDLED).started();
            List<ExecutionEvent> events = spec.fail("x", "CLIENT_ERROR");
            assertThat(only(events, TransitionTaken.class)).containsExactly(new TransitionTaken("x", 1, "cleanup",
                    TransitionTaken.VIA_ERROR_HANDLER, 1, "CLIENT_ERROR", "x broke", T1));
            assertThat(only(events, TaskScheduled.class)).singleElement().satisfies(s -> {
                assertThat(s.taskId()).isEqualTo("cleanup");
                assertThat(s.input()).isEqualTo(json("{'type': 'CLIENT_ERROR', 'task': 'x', 'message': 'x broke',"
                        + " 'run': 1}"));
            });
            assertThat(spec.outcome("cleanup")).isEqualTo("RUNNING");
            assertThat(spec.outcome("on_timeout")).isEqualTo("PENDING");
            assertThat(spec.state.flow().routes()).singleElement().satisfies(r -> {
                assertThat(r.via()).isEqualTo("error_handler");
                assertThat(r.to()).isEqualTo("cleanup");
            });
        }

        @Test
        void anEntryForTheErrorTypeComesBeforeTheCatchAll() {
            Spec spec = new Spec(HANDLED).started();
            List<ExecutionEvent> events = spec.fail("x", "TIMEOUT");
            assertThat(only(events, TransitionTaken.class)).extracting(TransitionTaken::toTask, TransitionTaken::index)
                    .containsExactly(tuple("on_timeout", 0));
            assertThat(only(events, TaskScheduled.class)).extracting(TaskScheduled::input)
                    .containsExactly(json("{'t': 'TIMEOUT'}"));
        }

        @Test
        void aTimedOutAttemptThatFailsForGoodRunsTheTimeoutHandler() {
            WorkflowDefinition wf = workflow("""
                    {'name': 'slow', 'tasks': [
                      {'id': 'a', 'component': 'core', 'action': 'echo', 'timeout_ms': 100},
                      {'id': 'h', 'component': 'core', 'action': 'echo'}],
                     'error_handlers': [{'error_type': 'TIMEOUT', 'handler_task': 'h'}]}""");
            Spec spec = new Spec(wf).started();
            List<ExecutionEvent> events = spec.when(new ExecutionCommand.TimeOutTask("a", 1, 1, 0.5,
                    T0.plusMillis(100)));
            assertThat(only(events, TransitionTaken.class)).extracting(TransitionTaken::toTask).containsExactly("h");
            assertThat(spec.outcome("h")).isEqualTo("RUNNING");
        }

        @Test
        void aHandlerRunsOnceForTheFirstFailureItMatches() {
            Spec spec = new Spec(HANDLED).started();
            spec.fail("x", "CLIENT_ERROR");
            List<ExecutionEvent> second = spec.fail("a", "SERVER_ERROR");
            assertThat(only(second, TransitionTaken.class)).isEmpty();
            assertThat(only(second, TaskScheduled.class)).isEmpty();
            assertThat(spec.state.flow().errorFor("cleanup").get("task_id").asText()).isEqualTo("x");
            // every task but the handlers is final: no failure can come that on_timeout could handle
            assertThat(only(second, TaskSkipped.class)).extracting(TaskSkipped::taskId, TaskSkipped::reason)
                    .containsExactly(tuple("b", "UPSTREAM_FAILED"), tuple("c", "UPSTREAM_FAILED"),
                            tuple("on_timeout", "NOT_NEEDED"));
            assertThat(spec.state.status()).isEqualTo(ExecutionStatus.RUNNING); // cleanup still runs
            List<ExecutionEvent> end = spec.complete("cleanup");
            assertThat(end).last().isInstanceOfSatisfying(ExecutionFailed.class,
                    f -> assertThat(f.taskId()).isEqualTo("a")); // the first failed task in definition order
        }

        @Test
        void aLaterFailureOfAnotherTypeStillRunsItsOwnHandler() {
            Spec spec = new Spec(HANDLED).started();
            spec.fail("x", "CLIENT_ERROR");
            List<ExecutionEvent> second = spec.fail("a", "TIMEOUT");
            assertThat(only(second, TransitionTaken.class)).extracting(TransitionTaken::fromTask,
                    TransitionTaken::toTask).containsExactly(tuple("a", "on_timeout"));
        }

        @Test
        void unusedHandlersAreSkippedAsNotNeededSoTheExecutionCompletes() {
            Spec spec = new Spec(HANDLED).started();
            spec.complete("a");
            spec.complete("x");
            spec.complete("b");
            List<ExecutionEvent> end = spec.complete("c");
            assertThat(only(end, TaskSkipped.class)).extracting(TaskSkipped::taskId, TaskSkipped::reason)
                    .containsExactly(tuple("on_timeout", "NOT_NEEDED"), tuple("cleanup", "NOT_NEEDED"));
            assertThat(end).last().isInstanceOf(ExecutionCompleted.class);
        }

        @Test
        void aFailureDeepInAChainRunsTheHandlerAndTheEndWaitsForIt() {
            Spec spec = new Spec(HANDLED).started();
            spec.complete("a");
            spec.complete("x");
            spec.complete("b");
            List<ExecutionEvent> failed = spec.fail("c", "SERVER_ERROR");
            assertThat(only(failed, TransitionTaken.class)).extracting(TransitionTaken::fromTask)
                    .containsExactly("c");
            assertThat(spec.state.status()).isEqualTo(ExecutionStatus.RUNNING); // the handler runs
            assertThat(spec.outcome("cleanup")).isEqualTo("RUNNING");
            assertThat(spec.outcome("on_timeout")).isEqualTo("SKIPPED:NOT_NEEDED");
            List<ExecutionEvent> end = spec.complete("cleanup");
            assertThat(end).hasSize(2); // the handler's completion, then the end
            assertThat(end).last().isInstanceOfSatisfying(ExecutionFailed.class, f -> {
                assertThat(f.taskId()).isEqualTo("c");
                assertThat(f.errorType()).isEqualTo("SERVER_ERROR");
            });
        }

        @Test
        void aHandlersOwnFailureStartsNoHandler() {
            WorkflowDefinition wf = workflow("""
                    {'name': 'h', 'tasks': [
                      {'id': 'a', 'component': 'core', 'action': 'echo'},
                      {'id': 'h1', 'component': 'core', 'action': 'echo'},
                      {'id': 'h2', 'component': 'core', 'action': 'echo'}],
                     'error_handlers': [{'error_type': 'CLIENT_ERROR', 'handler_task': 'h1'},
                                        {'error_type': '*', 'handler_task': 'h2'}]}""");
            Spec spec = new Spec(wf).started();
            List<ExecutionEvent> first = spec.fail("a", "CLIENT_ERROR");
            assertThat(only(first, TaskSkipped.class)).extracting(TaskSkipped::taskId, TaskSkipped::reason)
                    .containsExactly(tuple("h2", "NOT_NEEDED"));
            List<ExecutionEvent> events = spec.fail("h1", "SERVER_ERROR");
            assertThat(only(events, TransitionTaken.class)).isEmpty();
            assertThat(events).hasSize(2);
            assertThat(events).last().isInstanceOfSatisfying(ExecutionFailed.class,
                    f -> assertThat(f.taskId()).isEqualTo("a"));
        }

        @Test
        void aHandlerWhoseInputCannotBeResolvedFailsAndTheExecutionEnds() {
            WorkflowDefinition wf = workflow("""
                    {'name': 'h', 'tasks': [
                      {'id': 'a', 'component': 'core', 'action': 'echo'},
                      {'id': 'h', 'component': 'core', 'action': 'echo', 'input': {'v': '${error.nope.deeper}'}}],
                     'error_handlers': [{'error_type': '*', 'handler_task': 'h'}]}""");
            Spec spec = new Spec(wf).started();
            List<ExecutionEvent> events = spec.fail("a", "CLIENT_ERROR");
            assertThat(spec.outcome("h")).isEqualTo("FAILED");
            assertThat(spec.task("h").errorType()).isEqualTo("EXPRESSION_ERROR");
            assertThat(events).last().isInstanceOfSatisfying(ExecutionFailed.class,
                    f -> assertThat(f.taskId()).isEqualTo("a"));
        }

        @Test
        void cancelingWhileAHandlerRunsCancelsIt() {
            Spec spec = new Spec(HANDLED).started();
            spec.fail("x", "CLIENT_ERROR");
            List<ExecutionEvent> events = spec.when(new Cancel("stop", T1));
            assertThat(only(events, TaskCanceled.class)).extracting(TaskCanceled::taskId)
                    .containsExactlyInAnyOrder("a", "cleanup");
            assertThat(only(events, TaskSkipped.class)).extracting(TaskSkipped::taskId, TaskSkipped::reason)
                    .containsExactlyInAnyOrder(tuple("b", "EXECUTION_CANCELED"), tuple("c", "EXECUTION_CANCELED"),
                            tuple("on_timeout", "EXECUTION_CANCELED"));
            assertThat(events).last().isInstanceOf(ExecutionCanceled.class);
        }

        @Test
        void theWorkflowTimeoutWhileAHandlerRunsCancelsIt() {
            WorkflowDefinition wf = workflow("""
                    {'name': 'deadline', 'timeout_ms': 1000, 'tasks': [
                      {'id': 'a', 'component': 'core', 'action': 'echo'},
                      {'id': 'h', 'component': 'core', 'action': 'echo'}],
                     'error_handlers': [{'error_type': '*', 'handler_task': 'h'}]}""");
            Spec spec = new Spec(wf).started();
            spec.fail("a", "CLIENT_ERROR");
            assertThat(spec.outcome("h")).isEqualTo("RUNNING");
            List<ExecutionEvent> events = spec.when(new ExecutionCommand.TimeOutExecution(T0.plusMillis(1000)));
            assertThat(only(events, TaskCanceled.class)).extracting(TaskCanceled::taskId, TaskCanceled::reason)
                    .containsExactly(tuple("h", "EXECUTION_TIMED_OUT"));
            assertThat(events).last().isInstanceOfSatisfying(ExecutionFailed.class,
                    f -> assertThat(f.errorType()).isEqualTo("TIMEOUT"));
        }

        @Test
        void aHandlerWhoseAttemptWasLostWithItsProcessStartsAgain() {
            Spec spec = new Spec(HANDLED).started();
            spec.fail("x", "CLIENT_ERROR");
            List<ExecutionEvent> events = spec.when(new ExecutionCommand.Recover(java.util.Set.of(), T1));
            assertThat(only(events, TaskStarted.class)).extracting(TaskStarted::taskId, TaskStarted::attempt)
                    .containsExactlyInAnyOrder(tuple("a", 2), tuple("cleanup", 2));
            assertThat(only(events, TransitionTaken.class)).isEmpty(); // the route was taken once, before the crash
        }

        @Test
        void aHandlerDecidedWhilePausedStartsOnResume() {
            Spec spec = new Spec(HANDLED).started();
            spec.complete("a");
            spec.complete("b");
            spec.when(new Pause("wait", T1));
            spec.fail("x", "CLIENT_ERROR");
            assertThat(spec.task("cleanup").status()).isEqualTo(TaskStatus.SCHEDULED);
            List<ExecutionEvent> last = spec.complete("c");
            assertThat(last).noneMatch(e -> e instanceof ExecutionFailed); // the handler waits: not the end yet
            assertThat(spec.state.status()).isEqualTo(ExecutionStatus.PAUSED);
            List<ExecutionEvent> resumed = spec.when(new Resume(T1));
            assertThat(only(resumed, TaskStarted.class)).extracting(TaskStarted::taskId).containsExactly("cleanup");
            assertThat(spec.complete("cleanup")).last().isInstanceOf(ExecutionFailed.class);
        }
    }

    @Nested
    @DisplayName("error handlers and history")
    class HandlerHistory {
        Spec failedWithCleanup() {
            Spec spec = new Spec(HANDLED).started();
            spec.complete("a");
            spec.complete("x");
            spec.fail("b", "SERVER_ERROR");
            spec.complete("cleanup");
            assertThat(spec.state.status()).isEqualTo(ExecutionStatus.FAILED);
            return spec;
        }

        @Test
        void aRerunArmsTheHandlerOfTheFailureItRerunsAndTheUnusedOnes() {
            Spec spec = failedWithCleanup();
            List<ExecutionEvent> events = spec.when(new Rerun(null, T1));
            assertThat(only(events, ExecutionRerun.class)).singleElement()
                    .satisfies(r -> assertThat(r.tasks()).containsExactly("b", "c", "on_timeout", "cleanup"));
            assertThat(spec.outcome("cleanup")).isEqualTo("PENDING");
            List<ExecutionEvent> again = spec.fail("b", "CLIENT_ERROR");
            assertThat(only(again, TaskScheduled.class)).singleElement().satisfies(s -> {
                assertThat(s.taskId()).isEqualTo("cleanup");
                assertThat(s.run()).isEqualTo(2);
                assertThat(s.input().get("type").asText()).isEqualTo("CLIENT_ERROR");
                assertThat(s.input().get("run").asInt()).isEqualTo(2);
            });
        }

        @Test
        void aRerunThatSucceedsLeavesTheHandlersNotNeeded() {
            Spec spec = failedWithCleanup();
            spec.when(new Rerun(null, T1));
            spec.complete("b");
            List<ExecutionEvent> end = spec.complete("c");
            assertThat(only(end, TaskSkipped.class)).extracting(TaskSkipped::taskId, TaskSkipped::reason)
                    .containsExactlyInAnyOrder(tuple("on_timeout", "NOT_NEEDED"), tuple("cleanup", "NOT_NEEDED"));
            assertThat(end).last().isInstanceOf(ExecutionCompleted.class);
        }

        @Test
        void aRerunFromATaskUnrelatedToTheHandledFailureKeepsTheHandlersRun() {
            Spec spec = failedWithCleanup();
            List<ExecutionEvent> events = spec.when(new Rerun("x", T1));
            assertThat(only(events, ExecutionRerun.class)).singleElement()
                    .satisfies(r -> assertThat(r.tasks()).containsExactly("x", "on_timeout"));
            assertThat(spec.outcome("cleanup")).isEqualTo("COMPLETED");
            List<ExecutionEvent> end = spec.complete("x");
            assertThat(end).last().isInstanceOfSatisfying(ExecutionFailed.class,
                    f -> assertThat(f.taskId()).isEqualTo("b"));
        }

        @Test
        void aRerunCannotStartFromAHandler() {
            Spec spec = failedWithCleanup();
            assertThatThrownBy(() -> spec.when(new Rerun("cleanup", T1))).isInstanceOf(InvalidRequest.class)
                    .satisfies(e -> assertThat(((InvalidRequest) e).problems()).singleElement()
                            .satisfies(p -> assertThat(p.pointer()).isEqualTo("/from_task")));
        }

        @Test
        void aRestoreDoesNotCarryAHandlerOverAndArmsItAgain() {
            Spec spec = failedWithCleanup();
            io.harmonia.domain.execution.ExecutionSnapshot cp = io.harmonia.domain.execution.ExecutionSnapshot
                    .of(spec.state);
            Spec restored = new Spec(HANDLED);
            restored.when(new ExecutionCommand.Restore("00000000-0000-0000-0000-000000000003", "cp", cp, T1));
            assertThat(restored.outcome("a")).isEqualTo("COMPLETED");
            assertThat(restored.outcome("cleanup")).isEqualTo("PENDING");
            assertThat(restored.outcome("b")).isEqualTo("RUNNING");
            restored.fail("b", "SERVER_ERROR");
            assertThat(restored.outcome("cleanup")).isEqualTo("RUNNING");
        }
    }

    @Nested
    @DisplayName("a 5,000-task DAG with trigger rules and error handlers")
    class Large {
        static final int N = 5_000;

        /** A chain or fan-out of {@code n} echo tasks, every third rule a different run_if, and two handlers. */
        static String large(String shape, int n) {
            String[] rules = {"all_succeeded", "all_done", "any_succeeded"};
            StringBuilder b = new StringBuilder("{'name': 'large-" + shape + "', 'tasks': [");
            for (int i = 0; i < n; i++) {
                b.append(i == 0 ? "" : ", ").append("{'id': 't").append(i)
                        .append("', 'component': 'core', 'action': 'echo', 'input': {'n': '${input.n}'}");
                if (i > 0) {
                    b.append(", 'depends_on': ['t").append(shape.equals("chain") ? i - 1 : 0).append("']")
                            .append(", 'run_if': '").append(rules[i % 3]).append("'");
                }
                b.append('}');
            }
            return b.append(", {'id': 'h1', 'component': 'core', 'action': 'echo', 'input': {'e': '${error.type}'}}")
                    .append(", {'id': 'h2', 'component': 'core', 'action': 'echo'}]")
                    .append(", 'error_handlers': [{'error_type': 'TIMEOUT', 'handler_task': 'h2'},")
                    .append(" {'error_type': '*', 'handler_task': 'h1'}]}").toString();
        }

        @Test
        void decisionsStayLinearInAChainAndAFanOut() {
            for (String shape : List.of("chain", "fan-out")) {
                ExecutionDecider big = new ExecutionDecider(TestDefinitions.CEL, Limits.defaults());
                io.harmonia.bench.CoreBenchmark.drive(big, workflow(large(shape, 200))); // warm-up
                long[] run = io.harmonia.bench.CoreBenchmark.drive(big, workflow(large(shape, N)));
                System.out.printf("run_if + handlers %-8s %,d tasks: %,.1f ms CPU in all, %,d decisions,"
                        + " %,.1f ms worst%n", shape, N, run[0] / 1e6, run[1], run[2] / 1e6);
                assertThat(run[1]).isEqualTo(N + 1); // the handlers never ran: NOT_NEEDED in the last decision
                assertThat(run[0] / 1_000_000).as("CPU ms for all decisions of the %s", shape).isLessThan(3_000);
                assertThat(run[2] / 1_000_000).as("CPU ms of the worst decision of the %s", shape)
                        .isLessThan(1_500);
            }
        }
    }

    @Nested
    @DisplayName("definitions")
    class Definitions {
        @Test
        void badTriggerRulesAndHandlersAreAllReportedWithPointers() {
            JsonNode body = json("""
                    {'name': 'bad', 'tasks': [
                      {'id': 'a', 'component': 'core', 'action': 'echo', 'run_if': 'all_succeeded'},
                      {'id': 'b', 'component': 'core', 'action': 'echo', 'depends_on': ['a'], 'run_if': 'sometimes'},
                      {'id': 'c', 'component': 'core', 'action': 'echo', 'depends_on': ['a'], 'run_if': 3},
                      {'id': 'h', 'component': 'core', 'action': 'echo', 'depends_on': ['a']},
                      {'id': 'k', 'component': 'core', 'action': 'echo'},
                      {'id': 'd', 'component': 'core', 'action': 'echo', 'depends_on': ['k']}],
                     'error_handlers': [{'error_type': '*', 'handler_task': 'nope'},
                                        {'error_type': 'TIMEOUT', 'handler_task': 'h'},
                                        {'error_type': 'TIMEOUT', 'handler_task': 'k'},
                                        {'handler_task': 'k'}]}""");
            var result = TestDefinitions.VALIDATOR.validate(body);
            assertThat(result.valid()).isFalse();
            assertThat(result.problems()).extracting(p -> p.pointer()).contains("/tasks/0/run_if",
                    "/tasks/1/run_if", "/tasks/2/run_if", "/error_handlers/0/handler_task", "/error_handlers/1/handler_task",
                    "/tasks/5/depends_on/0", "/error_handlers/3/error_type");
            assertThat(result.problems()).filteredOn(p -> p.pointer().equals("/tasks/1/run_if")).singleElement()
                    .satisfies(p -> assertThat(p.reason()).contains("all_succeeded").contains("sometimes"));
        }
    }
}
