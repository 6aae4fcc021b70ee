package io.harmonia.domain;

import static io.harmonia.domain.TestDefinitions.json;
import static io.harmonia.domain.TestDefinitions.workflow;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.harmonia.domain.definition.ErrorTypes;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.ExecutionCommand;
import io.harmonia.domain.execution.ExecutionCommand.Cancel;
import io.harmonia.domain.execution.ExecutionCommand.CompleteTask;
import io.harmonia.domain.execution.ExecutionCommand.FailTask;
import io.harmonia.domain.execution.ExecutionCommand.Recover;
import io.harmonia.domain.execution.ExecutionCommand.Rerun;
import io.harmonia.domain.execution.ExecutionCommand.WakeUp;
import io.harmonia.domain.execution.ExecutionDecider;
import io.harmonia.domain.execution.ExecutionEvent;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionCanceled;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionCompleted;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionFailed;
import io.harmonia.domain.execution.ExecutionEvent.ForEachExpanded;
import io.harmonia.domain.execution.ExecutionEvent.TaskCanceled;
import io.harmonia.domain.execution.ExecutionEvent.TaskCompleted;
import io.harmonia.domain.execution.ExecutionEvent.TaskFailed;
import io.harmonia.domain.execution.ExecutionEvent.TaskRetryScheduled;
import io.harmonia.domain.execution.ExecutionEvent.TaskScheduled;
import io.harmonia.domain.execution.ExecutionEvent.TaskSkipped;
import io.harmonia.domain.execution.ExecutionEvent.TaskStarted;
import io.harmonia.domain.execution.ExecutionEvolver;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.domain.execution.ExecutionStatus;
import io.harmonia.domain.execution.FanOuts;
import io.harmonia.domain.execution.FlowLimits;
import io.harmonia.domain.execution.Limits;
import io.harmonia.domain.execution.TaskStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** for_each: given events, when a command, then events. */
class ForEachRulesTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final String ID = "00000000-0000-0000-0000-0000000000f1";

    static final WorkflowDefinition FETCH = workflow("""
            {'name': 'fetch-all', 'output': {'all': '${tasks.x.output}'},
             'tasks': [
               {'id': 'x', 'component': 'core', 'action': 'echo', 'for_each': '${input.items}', 'max_parallel': 2,
                'retry': {'max_attempts': 2, 'initial_delay_ms': 1000},
                'input': {'v': '${item}', 'i': '${index}'}},
               {'id': 'after', 'component': 'core', 'action': 'echo', 'depends_on': ['x'],
                'input': {'n': '${size(tasks.x.output)}'}}]}""");

    ExecutionDecider decider = new ExecutionDecider(TestDefinitions.CEL, Limits.defaults());

    final class Spec {
        final WorkflowDefinition wf;
        ExecutionState state = ExecutionState.initial();
        final List<ExecutionEvent> all = new ArrayList<>();
        Instant now = T0;

        Spec(WorkflowDefinition wf) {
            this.wf = wf;
        }

        List<ExecutionEvent> when(ExecutionCommand command) {
            List<ExecutionEvent> events = decider.decide(command, state, wf);
            state = ExecutionEvolver.fold(state, events);
            all.addAll(events);
            return events;
        }

        List<ExecutionEvent> start(String input) {
            return when(new ExecutionCommand.Start(ID, json(input), now));
        }

        List<ExecutionEvent> complete(String taskId, JsonNode output) {
            var t = state.task(taskId);
            return when(new CompleteTask(taskId, t.run(), t.attempt(), output, now = now.plusMillis(1)));
        }

        List<ExecutionEvent> fail(String taskId, String type, boolean retriable) {
            var t = state.task(taskId);
            return when(new FailTask(taskId, t.run(), t.attempt(), type, "boom", retriable, 0.5,
                    now = now.plusMillis(1)));
        }

        /** Completes RUNNING items with {@code {"v": <input.v>}} until none runs; the most running at once. */
        int drainItems(String taskId, int count) {
            int most = 0;
            boolean any = true;
            while (any) {
                any = false;
                for (int i = 0; i < count; i++) {
                    String id = taskId + "[" + i + "]";
                    if (state.task(id).status() == TaskStatus.RUNNING) {
                        most = Math.max(most, running(taskId, count));
                        complete(id, json("{'v': " + state.task(id).input().get("v") + "}"));
                        any = true;
                    }
                }
            }
            return most;
        }

        int running(String taskId, int count) {
            int n = 0;
            for (int i = 0; i < count; i++) {
                n += state.task(taskId + "[" + i + "]").status() == TaskStatus.RUNNING ? 1 : 0;
            }
            return n;
        }
    }

    static <T> List<T> of(List<ExecutionEvent> events, Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Nested
    @DisplayName("when a for_each task is decided")
    class Expansion {
        @Test
        void expandsIntoOneScheduledItemPerElementWithItemAndIndexAndStartsAtMostMaxParallel() {
            Spec s = new Spec(FETCH);
            List<ExecutionEvent> events = s.start("{'items': ['a', 'b', 'c']}");

            assertThat(of(events, ForEachExpanded.class)).singleElement()
                    .satisfies(e -> assertThat(List.of(e.taskId(), e.run(), e.count(), e.maxParallel()))
                            .containsExactly("x", 1, 3, 2));
            assertThat(of(events, TaskScheduled.class)).extracting(TaskScheduled::taskId, e -> e.input().toString())
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("x[0]", "{\"v\":\"a\",\"i\":0}"),
                            org.assertj.core.groups.Tuple.tuple("x[1]", "{\"v\":\"b\",\"i\":1}"),
                            org.assertj.core.groups.Tuple.tuple("x[2]", "{\"v\":\"c\",\"i\":2}"));
            assertThat(of(events, TaskStarted.class)).extracting(TaskStarted::taskId).containsExactly("x[0]", "x[1]");
            // the for_each task itself runs no attempt: shown RUNNING, not counted as running
            assertThat(s.state.task("x").status()).isEqualTo(TaskStatus.FANNED_OUT);
            assertThat(s.state.task("x").status().external()).isEqualTo("RUNNING");
            assertThat(s.state.running()).isEqualTo(2);
            assertThat(s.state.table().ready(10)).isEmpty();
            assertThat(s.state.fanOuts().of("x")).isEqualTo(new FanOuts.FanOut(1, 3, 2, 2, 2, 0, 0, 0));
        }

        @Test
        void completesWithTheItemsOutputsInIndexOrderWhateverOrderTheyFinishIn() {
            Spec s = new Spec(FETCH);
            s.start("{'items': [10, 20, 30, 40, 50]}");
            s.complete("x[1]", json("{'r': 1}"));
            s.complete("x[0]", json("{'r': 0}"));
            s.complete("x[3]", json("{'r': 3}"));
            s.complete("x[2]", json("{'r': 2}"));
            List<ExecutionEvent> last = s.complete("x[4]", json("{'r': 4}"));

            assertThat(of(last, TaskCompleted.class)).extracting(TaskCompleted::taskId).containsExactly("x[4]", "x");
            assertThat(of(last, TaskCompleted.class).get(1).output()).as("no list in the event").isNull();
            assertThat(s.state.task("x").output()).isEqualTo(
                    json("[{'r': 0}, {'r': 1}, {'r': 2}, {'r': 3}, {'r': 4}]"));
            assertThat(of(last, TaskScheduled.class)).singleElement()
                    .satisfies(e -> assertThat(e.input()).isEqualTo(json("{'n': 5}")));
            s.complete("after", json("{}"));
            assertThat(s.state.status()).isEqualTo(ExecutionStatus.COMPLETED);
            assertThat(s.state.output().get("all").size()).isEqualTo(5);
        }

        @Test
        void neverRunsMoreThanMaxParallelItemsAtOnce() {
            Spec s = new Spec(FETCH);
            s.start("{'items': [1, 2, 3, 4, 5, 6, 7]}");
            assertThat(s.drainItems("x", 7)).isEqualTo(2);
            assertThat(s.state.task("x").status()).isEqualTo(TaskStatus.COMPLETED);
            assertThat(s.state.task("x").output()).isEqualTo(
                    json("[{'v':1},{'v':2},{'v':3},{'v':4},{'v':5},{'v':6},{'v':7}]"));
        }

        @Test
        void staysWithinTheExecutionsMaxParallelTasks() {
            WorkflowDefinition wf = workflow("""
                    {'name': 'narrow', 'max_parallel_tasks': 1, 'tasks': [
                      {'id': 'x', 'component': 'core', 'action': 'echo', 'for_each': '${input.items}',
                       'max_parallel': 5, 'input': {'v': '${item}'}}]}""");
            Spec s = new Spec(wf);
            s.start("{'items': [1, 2, 3]}");
            assertThat(s.drainItems("x", 3)).isEqualTo(1);
            assertThat(s.state.status()).isEqualTo(ExecutionStatus.COMPLETED);
        }

        @Test
        void anEmptyListCompletesTheTaskAtOnceWithAnEmptyList() {
            Spec s = new Spec(FETCH);
            List<ExecutionEvent> events = s.start("{'items': []}");

            assertThat(events).extracting(e -> e.getClass().getSimpleName() + ":"
                    + (e instanceof ExecutionEvent.TaskEvent t ? t.taskId() : ""))
                    .containsSubsequence("ForEachExpanded:x", "TaskCompleted:x", "TaskScheduled:after");
            assertThat(s.state.task("x").output()).isEqualTo(json("[]"));
        }

        @Test
        void aTemplateThatIsNotAListFailsTheTask() {
            Spec s = new Spec(FETCH);
            List<ExecutionEvent> events = s.start("{'items': {'a': 1}}");

            assertThat(of(events, TaskFailed.class)).singleElement().satisfies(f -> {
                assertThat(f.taskId()).isEqualTo("x");
                assertThat(f.errorType()).isEqualTo(ErrorTypes.VALIDATION_ERROR);
                assertThat(f.message()).isEqualTo("for_each of task 'x' (${input.items}) expected a list, found object");
            });
            assertThat(of(events, ForEachExpanded.class)).isEmpty();
            assertThat(of(events, ExecutionFailed.class)).hasSize(1);
        }

        @Test
        void moreItemsThanTheLimitFailTheTask() {
            decider = new ExecutionDecider(TestDefinitions.CEL, Limits.defaults().withFlow(new FlowLimits(1000, 3, 10)));
            Spec s = new Spec(FETCH);
            List<ExecutionEvent> events = s.start("{'items': [1, 2, 3, 4]}");

            assertThat(of(events, TaskFailed.class)).singleElement().satisfies(f -> {
                assertThat(f.errorType()).isEqualTo(ErrorTypes.PAYLOAD_TOO_LARGE);
                assertThat(f.message()).isEqualTo("for_each of task 'x' yields 4 items, above the limit of 3"
                        + " (harmonia.flow.max-items)");
            });
            assertThat(of(events, TaskScheduled.class)).isEmpty();
        }

        @Test
        void anItemWhoseInputFailsFailsTheTaskAndCancelsTheItemsScheduledBeforeIt() {
            WorkflowDefinition wf = workflow("""
                    {'name': 'bad-item', 'tasks': [
                      {'id': 'x', 'component': 'core', 'action': 'echo', 'for_each': '${input.items}',
                       'input': {'v': '${item.a.b}'}}]}""");
            Spec s = new Spec(wf);
            List<ExecutionEvent> events = s.start("{'items': [{'a': {'b': 1}}, 2, {'a': {'b': 3}}]}");

            assertThat(of(events, TaskFailed.class)).extracting(TaskFailed::taskId).containsExactly("x[1]", "x");
            assertThat(of(events, TaskFailed.class).get(1).message()).startsWith(
                    "item 1 of task 'x' failed: input of item 1 of task 'x' failed:");
            assertThat(of(events, TaskCanceled.class)).extracting(TaskCanceled::taskId).containsExactly("x[0]");
            assertThat(of(events, TaskStarted.class)).isEmpty();
            assertThat(s.state.status()).isEqualTo(ExecutionStatus.FAILED);
        }

        @Test
        void itsListMayComeFromAnotherTasksOutput() {
            WorkflowDefinition wf = workflow("""
                    {'name': 'chained', 'tasks': [
                      {'id': 'list', 'component': 'core', 'action': 'echo', 'input': {}},
                      {'id': 'x', 'component': 'core', 'action': 'echo', 'depends_on': ['list'],
                       'for_each': '${tasks.list.output.names}', 'input': {'hello': '${item}', 'from': '${tasks.list.output.by}'}}]}""");
            Spec s = new Spec(wf);
            s.start("{}");
            List<ExecutionEvent> events = s.complete("list", json("{'names': ['ann', 'bob'], 'by': 'me'}"));

            assertThat(of(events, TaskScheduled.class)).extracting(e -> e.input().toString()).containsExactly(
                    "{\"hello\":\"ann\",\"from\":\"me\"}", "{\"hello\":\"bob\",\"from\":\"me\"}");
        }

        @Test
        void theTasksStateMappingRunsOnceWithTheListAsOutput() {
            WorkflowDefinition wf = workflow("""
                    {'name': 'mapped', 'tasks': [
                      {'id': 'x', 'component': 'core', 'action': 'echo', 'for_each': '${input.items}',
                       'input': {'v': '${item}'}, 'state': {'count': '${size(output)}', 'first': '${output[0].v}'}}]}""");
            Spec s = new Spec(wf);
            s.start("{'items': [7, 8, 9]}");
            s.drainItems("x", 3);

            assertThat(of(s.all, ExecutionEvent.StateUpdated.class)).singleElement().satisfies(e -> {
                assertThat(e.taskId()).isEqualTo("x");
                assertThat(e.patch()).isEqualTo(json("{'count': 3, 'first': 7}"));
            });
            assertThat(s.state.status()).isEqualTo(ExecutionStatus.COMPLETED);
        }

        @Test
        void aFalseConditionSkipsTheTaskWithoutExpandingIt() {
            WorkflowDefinition wf = workflow("""
                    {'name': 'cond', 'tasks': [
                      {'id': 'x', 'component': 'core', 'action': 'echo', 'for_each': '${input.items}',
                       'condition': 'size(input.items) > 5', 'input': {}}]}""");
            Spec s = new Spec(wf);
            List<ExecutionEvent> events = s.start("{'items': [1]}");
            assertThat(of(events, TaskSkipped.class)).extracting(TaskSkipped::taskId).containsExactly("x");
            assertThat(of(events, ForEachExpanded.class)).isEmpty();
        }
    }

    @Nested
    @DisplayName("when an item fails")
    class Failures {
        @Test
        void aRetriableFailureRetriesTheItemWithTheTasksPolicy() {
            Spec s = new Spec(FETCH);
            s.start("{'items': ['a', 'b']}");
            List<ExecutionEvent> events = s.fail("x[1]", "SERVER_ERROR", true);
            assertThat(of(events, TaskRetryScheduled.class)).extracting(TaskRetryScheduled::taskId)
                    .containsExactly("x[1]");
            assertThat(s.state.fanOuts().of("x").active()).as("a retrying item keeps its place").isEqualTo(2);

            List<ExecutionEvent> woken = s.when(new WakeUp(s.now = s.now.plusSeconds(5)));
            assertThat(of(woken, TaskStarted.class)).singleElement()
                    .satisfies(e -> assertThat(List.of(e.taskId(), e.attempt())).containsExactly("x[1]", 2));
            s.drainItems("x", 2);
            assertThat(s.state.task("x").status()).isEqualTo(TaskStatus.COMPLETED);
        }

        @Test
        void anItemThatFailsForGoodCancelsItsSiblingsAndFailsTheTask() {
            Spec s = new Spec(FETCH);
            s.start("{'items': ['a', 'b', 'c', 'd']}");
            s.complete("x[0]", json("{}")); // x[2] starts
            List<ExecutionEvent> events = s.fail("x[1]", "CLIENT_ERROR", false);

            assertThat(of(events, TaskCanceled.class)).extracting(TaskCanceled::taskId, TaskCanceled::reason)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("x[2]", "FOR_EACH_FAILED"),
                            org.assertj.core.groups.Tuple.tuple("x[3]", "FOR_EACH_FAILED"));
            assertThat(of(events, TaskFailed.class)).extracting(TaskFailed::taskId, TaskFailed::errorType,
                    TaskFailed::message).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("x[1]", "CLIENT_ERROR", "boom"),
                    org.assertj.core.groups.Tuple.tuple("x", "CLIENT_ERROR", "item 1 of task 'x' failed: boom"));
            assertThat(of(events, TaskSkipped.class)).extracting(TaskSkipped::taskId).containsExactly("after");
            assertThat(of(events, ExecutionFailed.class)).singleElement()
                    .satisfies(f -> assertThat(f.taskId()).isEqualTo("x"));
            // a late result of a canceled sibling changes nothing
            assertThat(s.when(new CompleteTask("x[2]", 1, 1, json("{}"), s.now.plusMillis(1)))).isEmpty();
        }
    }

    @Nested
    @DisplayName("when the execution is canceled, recovered or re-run mid-fan-out")
    class MidFanOut {
        @Test
        void cancelEndsEveryItemNotYetFinalThenTheTask() {
            Spec s = new Spec(FETCH);
            s.start("{'items': ['a', 'b', 'c']}");
            s.complete("x[0]", json("{}"));
            List<ExecutionEvent> events = s.when(new Cancel("stop", s.now.plusMillis(1)));

            assertThat(of(events, TaskCanceled.class)).extracting(TaskCanceled::taskId)
                    .containsExactly("x[1]", "x[2]", "x");
            assertThat(of(events, TaskSkipped.class)).extracting(TaskSkipped::taskId).containsExactly("after");
            assertThat(of(events, ExecutionCanceled.class)).hasSize(1);
            assertThat(s.state.running()).isZero();
        }

        @Test
        void recoverStartsTheRunningItemsAgainAsNewAttemptsAndNothingElse() {
            Spec s = new Spec(FETCH);
            s.start("{'items': ['a', 'b', 'c']}");
            s.complete("x[0]", json("{}")); // x[1], x[2] run
            List<ExecutionEvent> events = s.when(new Recover(Set.of("x[2]"), s.now.plusMillis(1)));

            assertThat(events).singleElement().isInstanceOfSatisfying(TaskStarted.class,
                    e -> assertThat(List.of(e.taskId(), e.attempt())).containsExactly("x[1]", 2));
            s.drainItems("x", 3);
            assertThat(s.state.task("x").output()).hasSize(3);
        }

        @Test
        void aRerunFromTheForEachTaskRunsEveryItemAgainAsANewRun() {
            Spec s = new Spec(FETCH);
            s.start("{'items': ['a', 'b']}");
            s.complete("x[0]", json("{}"));
            s.fail("x[1]", "CLIENT_ERROR", false);
            assertThat(s.state.status()).isEqualTo(ExecutionStatus.FAILED);

            List<ExecutionEvent> events = s.when(new Rerun("x", s.now.plusMillis(1)));
            assertThat(of(events, ForEachExpanded.class)).singleElement()
                    .satisfies(e -> assertThat(e.run()).isEqualTo(2));
            assertThat(of(events, TaskScheduled.class)).extracting(TaskScheduled::taskId, TaskScheduled::run)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("x[0]", 2),
                            org.assertj.core.groups.Tuple.tuple("x[1]", 2));
            s.drainItems("x", 2);
            s.complete("after", json("{}"));
            assertThat(s.state.status()).isEqualTo(ExecutionStatus.COMPLETED);
        }
        @Test
        void aRestoreFromACheckpointTakenMidFanOutRunsEveryItemAgain() {
            Spec s = new Spec(FETCH);
            s.start("{'items': ['a', 'b', 'c']}");
            s.complete("x[0]", json("{'r': 0}"));
            var cp = (ExecutionEvent.CheckpointCreated) s.when(new ExecutionCommand.Checkpoint(s.now)).get(0);

            Spec copy = new Spec(FETCH);
            List<ExecutionEvent> events = copy.when(new ExecutionCommand.Restore(
                    "00000000-0000-0000-0000-0000000000f2", cp.checkpointId(), cp.snapshot(), s.now.plusMillis(1)));
            assertThat(of(events, ForEachExpanded.class)).singleElement()
                    .satisfies(e -> assertThat(e.count()).isEqualTo(3));
            assertThat(of(events, TaskScheduled.class)).extracting(TaskScheduled::taskId)
                    .containsExactly("x[0]", "x[1]", "x[2]");
            copy.drainItems("x", 3);
            copy.complete("after", json("{}"));
            assertThat(copy.state.status()).isEqualTo(ExecutionStatus.COMPLETED);
            assertThat(copy.state.task("x").output()).isEqualTo(json("[{'v': 'a'}, {'v': 'b'}, {'v': 'c'}]"));
        }

        @Test
        void aPausedExecutionStartsNoNewItemUntilItResumes() {
            Spec s = new Spec(FETCH);
            s.start("{'items': ['a', 'b', 'c', 'd']}");
            s.when(new ExecutionCommand.Pause("wait", s.now));
            List<ExecutionEvent> events = s.complete("x[0]", json("{}"));
            assertThat(of(events, TaskStarted.class)).isEmpty();
            s.complete("x[1]", json("{}"));
            assertThat(s.state.status()).as("items still waiting: not done").isEqualTo(ExecutionStatus.PAUSED);
            List<ExecutionEvent> resumed = s.when(new ExecutionCommand.Resume(s.now.plusMillis(1)));
            assertThat(of(resumed, TaskStarted.class)).extracting(TaskStarted::taskId).containsExactly("x[2]", "x[3]");
        }
    }

    @Nested
    @DisplayName("in a state machine")
    class Steps {
        @Test
        void aForEachStepCompletesWithTheListAndTheExecutionWaitsForItsItems() {
            WorkflowDefinition wf = workflow("""
                    {'name': 'sm', 'output': {'all': '${tasks.each.output}'}, 'steps': [
                      {'id': 'each', 'type': 'core.echo', 'for_each': '${input.items}', 'max_parallel': 1,
                       'config': {'v': '${item * 10}'}}]}""");
            Spec s = new Spec(wf);
            s.start("{'items': [1, 2, 3]}");
            assertThat(s.state.status()).isEqualTo(ExecutionStatus.RUNNING);
            s.drainItems("each", 3);

            assertThat(of(s.all, TaskCompleted.class)).last().satisfies(e -> assertThat(e.taskId()).isEqualTo("each"));
            assertThat(s.state.task("each").output()).isEqualTo(json("[{'v': 10}, {'v': 20}, {'v': 30}]"));
            assertThat(s.state.status()).isEqualTo(ExecutionStatus.COMPLETED);
            assertThat(s.state.output()).isEqualTo(json("{'all': [{'v': 10}, {'v': 20}, {'v': 30}]}"));
        }
    }

    @Nested
    @DisplayName("with 10,000 items")
    class Large {
        @Test
        void everyDecisionCostsWhatItTouchesNotTheWholeList() {
            ArrayNode items = JsonNodeFactory.instance.arrayNode();
            for (int i = 0; i < 10_000; i++) {
                items.add(i);
            }
            WorkflowDefinition wf = workflow("""
                    {'name': 'big', 'tasks': [
                      {'id': 'x', 'component': 'core', 'action': 'echo', 'for_each': '${input.items}',
                       'max_parallel': 50, 'input': {'v': '${item}'}}]}""");
            Spec s = new Spec(wf);
            long t0 = System.nanoTime();
            s.when(new ExecutionCommand.Start(ID, JsonNodeFactory.instance.objectNode().set("items", items), T0));
            long expand = System.nanoTime() - t0;
            long worst = 0;
            t0 = System.nanoTime();
            for (int i = 0; i < 10_000; i++) {
                long d0 = System.nanoTime();
                s.complete("x[" + i + "]", json("{'v': " + i + "}"));
                worst = Math.max(worst, System.nanoTime() - d0);
            }
            long all = System.nanoTime() - t0;
            assertThat(s.state.status()).isEqualTo(ExecutionStatus.COMPLETED);
            assertThat(s.state.task("x").output()).hasSize(10_000);
            assertThat(s.state.task("x").output().get(9_999)).isEqualTo(json("{'v': 9999}"));
            // generous budgets (~20x a measured run): an O(n) scan per item would take minutes
            assertThat(expand / 1_000_000).as("ms to expand 10,000 items").isLessThan(5_000);
            assertThat(all / 1_000_000).as("ms for the 10,000 item results").isLessThan(10_000);
            System.out.printf("for_each 10,000 items: expand %d ms, results %d ms, worst result %d ms%n",
                    expand / 1_000_000, all / 1_000_000, worst / 1_000_000);
        }
    }
}
