package io.harmonia.domain;

import static io.harmonia.domain.TestDefinitions.json;
import static io.harmonia.domain.TestDefinitions.workflow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harmonia.domain.definition.InvalidRequest;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.CommandRejected;
import io.harmonia.domain.execution.ExecutionCommand;
import io.harmonia.domain.execution.ExecutionCommand.Cancel;
import io.harmonia.domain.execution.ExecutionCommand.Checkpoint;
import io.harmonia.domain.execution.ExecutionCommand.CompleteTask;
import io.harmonia.domain.execution.ExecutionCommand.FailTask;
import io.harmonia.domain.execution.ExecutionCommand.Rerun;
import io.harmonia.domain.execution.ExecutionCommand.Restore;
import io.harmonia.domain.execution.ExecutionCommand.TimeOutExecution;
import io.harmonia.domain.execution.ExecutionCommand.UpdateState;
import io.harmonia.domain.execution.ExecutionCommand.WakeUp;
import io.harmonia.domain.execution.ExecutionDecider;
import io.harmonia.domain.execution.ExecutionEvent;
import io.harmonia.domain.execution.ExecutionEvent.CheckpointCreated;
import io.harmonia.domain.execution.ExecutionEvent.CheckpointRestored;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionCompleted;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionDerived;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionRerun;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionStarted;
import io.harmonia.domain.execution.ExecutionEvent.RestoredFrom;
import io.harmonia.domain.execution.ExecutionEvent.StateUpdated;
import io.harmonia.domain.execution.ExecutionEvent.TaskCompleted;
import io.harmonia.domain.execution.ExecutionEvent.TaskFailed;
import io.harmonia.domain.execution.ExecutionEvent.TaskScheduled;
import io.harmonia.domain.execution.ExecutionEvent.TaskSkipped;
import io.harmonia.domain.execution.ExecutionEvent.TaskStarted;
import io.harmonia.domain.execution.ExecutionEvolver;
import io.harmonia.domain.execution.ExecutionSnapshot;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.domain.execution.ExecutionStatus;
import io.harmonia.domain.execution.Limits;
import io.harmonia.domain.execution.StateData;
import io.harmonia.domain.execution.StateVersionMismatch;
import io.harmonia.domain.execution.TaskStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** State, checkpoints, restore and re-run: given events, when a command, then events (or a rejection). */
class HistoryRulesTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Instant T1 = T0.plusSeconds(60);
    static final String ID = "00000000-0000-0000-0000-000000000001";
    static final String NEW_ID = "00000000-0000-0000-0000-000000000002";

    final ExecutionDecider decider = new ExecutionDecider(TestDefinitions.CEL, new Limits(1000, 1000, 4, 200, 0));

    /** Seed 000's approval: a task writes the state, later conditions read it. */
    static final WorkflowDefinition APPROVAL = workflow("""
            {'name': 'approval', 'output': {'decision': '${state.approval_status}'},
             'tasks': [
               {'id': 'check', 'component': 'core', 'action': 'echo', 'input': {'status': '${input.status}'},
                'state': {'approval_status': '${output.status}', 'checked': true}},
               {'id': 'approved', 'component': 'core', 'action': 'echo', 'input': {'by': '${state.approval_status}'},
                'depends_on': ['check'], 'condition': 'state.approval_status == \\"APPROVED\\"'},
               {'id': 'rejected', 'component': 'core', 'action': 'echo', 'input': {},
                'depends_on': ['check'], 'condition': 'state.approval_status != \\"APPROVED\\"'}]}""");

    /** a -> (b, c) -> d: a fan-out and a join. */
    static final WorkflowDefinition FAN_OUT = workflow("""
            {'name': 'fan-out', 'output': {'d': '${tasks.d.output}'},
             'tasks': [
               {'id': 'a', 'component': 'core', 'action': 'echo', 'input': {}},
               {'id': 'b', 'component': 'core', 'action': 'echo', 'input': {'from': '${tasks.a.output.v}'},
                'depends_on': ['a']},
               {'id': 'c', 'component': 'core', 'action': 'echo', 'input': {}, 'depends_on': ['a'],
                'retry': {'max_attempts': 3, 'initial_delay_ms': 30000}},
               {'id': 'd', 'component': 'core', 'action': 'echo', 'input': {}, 'depends_on': ['b', 'c']}],
             'timeout': 10}""");

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

        Spec given(ExecutionCommand... commands) {
            for (ExecutionCommand c : commands) {
                when(c);
            }
            return this;
        }
    }

    static <T> List<T> only(List<ExecutionEvent> events, Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Nested
    @DisplayName("state")
    class State {
        @Test
        void aTaskWritesTheStateWhenItCompletesAndLaterConditionsReadIt() {
            Spec spec = new Spec(APPROVAL).given(new ExecutionCommand.Start(ID, json("{'status': 'APPROVED'}"), T0));
            List<ExecutionEvent> events = spec.when(new CompleteTask("check", 1, 1, json("{'status': 'APPROVED'}"), T0));
            assertThat(events.get(0)).isInstanceOf(TaskCompleted.class);
            assertThat(events.get(1)).isEqualTo(new StateUpdated("check", 1,
                    json("{'approval_status': 'APPROVED', 'checked': true}"), false, T0));
            assertThat(only(events, TaskSkipped.class)).extracting(TaskSkipped::taskId).containsExactly("rejected");
            assertThat(only(events, TaskScheduled.class)).singleElement()
                    .satisfies(t -> assertThat(t.input()).isEqualTo(json("{'by': 'APPROVED'}")));
            assertThat(spec.state.stateData().version()).isEqualTo(1);
            assertThat(spec.state.stateData().task("check")).isEqualTo(json("{'approval_status': 'APPROVED',"
                    + " 'checked': true}"));
            List<ExecutionEvent> end = spec.when(new CompleteTask("approved", 1, 1, json("{}"), T0));
            assertThat(end).last().isEqualTo(new ExecutionCompleted(json("{'decision': 'APPROVED'}"), T0));
        }

        @Test
        void aStateMappingThatCannotBeEvaluatedFailsTheTask() {
            Spec spec = new Spec(APPROVAL).given(new ExecutionCommand.Start(ID, json("{'status': 'NEW'}"), T0));
            List<ExecutionEvent> events = spec.when(new CompleteTask("check", 1, 1, json("{'other': 1}"), T0));
            assertThat(only(events, TaskFailed.class)).singleElement().satisfies(f -> {
                assertThat(f.errorType()).isEqualTo("EXPRESSION_ERROR");
                assertThat(f.message()).contains("state mapping of task 'check'");
            });
            assertThat(only(events, StateUpdated.class)).isEmpty();
        }

        @Test
        void aStateAboveTheLimitFailsTheTask() {
            Spec spec = new Spec(APPROVAL).given(new ExecutionCommand.Start(ID, json("{'status': 'NEW'}"), T0));
            List<ExecutionEvent> events = spec.when(new CompleteTask("check", 1, 1,
                    json("{'status': '" + "x".repeat(300) + "'}"), T0));
            assertThat(only(events, TaskFailed.class)).singleElement()
                    .satisfies(f -> assertThat(f.errorType()).isEqualTo("PAYLOAD_TOO_LARGE"));
        }

        @Test
        void anUpdateFromOutsideMergesOrReplacesAndChecksTheVersion() {
            Spec spec = new Spec(APPROVAL).given(new ExecutionCommand.Start(ID, json("{'status': 'NEW'}"), T0));
            spec.when(new UpdateState(json("{'a': {'x': 1, 'y': 2}, 'b': 1}"), false, 0L, T0));
            spec.when(new UpdateState(json("{'a': {'y': null, 'z': 3}}"), false, null, T0));
            assertThat(spec.state.stateData().global()).isEqualTo(json("{'a': {'x': 1, 'z': 3}, 'b': 1}"));
            assertThatThrownBy(() -> spec.when(new UpdateState(json("{'c': 1}"), true, 1L, T0)))
                    .isInstanceOf(StateVersionMismatch.class)
                    .hasMessageContaining("at version 1, but it is at 2");
            spec.when(new UpdateState(json("{'c': 1}"), true, 2L, T0));
            assertThat(spec.state.stateData()).isEqualTo(new StateData(json("{'c': 1}"), java.util.Map.of(), 3));
        }

        @Test
        void anUpdateOfAFinishedExecutionIsRejected() {
            Spec spec = new Spec(APPROVAL).given(new ExecutionCommand.Start(ID, json("{'status': 'NEW'}"), T0),
                    new Cancel("enough", T0));
            assertThatThrownBy(() -> spec.when(new UpdateState(json("{'a': 1}"), false, null, T0)))
                    .isInstanceOf(CommandRejected.class).hasMessageContaining("CANCELED");
        }

        @Test
        void anUpdateThatLeavesNoObjectIsInvalid() {
            Spec spec = new Spec(APPROVAL).given(new ExecutionCommand.Start(ID, json("{'status': 'NEW'}"), T0));
            assertThatThrownBy(() -> spec.when(new UpdateState(json("[1]"), true, null, T0)))
                    .isInstanceOf(InvalidRequest.class);
        }
    }

    @Nested
    @DisplayName("checkpoints")
    class Checkpoints {
        @Test
        void aCheckpointOnRequestSnapshotsTheStateItCovers() {
            Spec spec = new Spec(FAN_OUT).given(new ExecutionCommand.Start(ID, json("{}"), T0),
                    new CompleteTask("a", 1, 1, json("{'v': 1}"), T0));
            ExecutionState before = spec.state;
            List<ExecutionEvent> events = spec.when(new Checkpoint(T1));
            CheckpointCreated cp = (CheckpointCreated) events.get(0);
            assertThat(events).hasSize(1);
            assertThat(cp.sequence()).isEqualTo(before.version());
            assertThat(cp.reason()).isEqualTo("request");
            assertThat(cp.snapshot().toState()).isEqualTo(before);
            assertThat(ExecutionSnapshot.of(before).toState()).isEqualTo(before);
            // folding from the snapshot and the checkpoint event gives what folding everything gives
            assertThat(ExecutionEvolver.evolve(cp.snapshot().toState(), cp)).isEqualTo(spec.state);
        }

        @Test
        void aFinishedExecutionCanBeCheckpointed() {
            Spec spec = new Spec(FAN_OUT).given(new ExecutionCommand.Start(ID, json("{}"), T0), new Cancel("x", T0));
            assertThat(spec.when(new Checkpoint(T1))).singleElement().isInstanceOf(CheckpointCreated.class);
        }

        @Test
        void aTaskMarkedCheckpointTakesOneWhenItCompletes() {
            WorkflowDefinition wf = workflow("""
                    {'name': 'cp', 'tasks': [
                      {'id': 'a', 'component': 'core', 'action': 'echo', 'input': {}, 'checkpoint': true},
                      {'id': 'b', 'component': 'core', 'action': 'echo', 'input': {}, 'depends_on': ['a']}]}""");
            Spec spec = new Spec(wf).given(new ExecutionCommand.Start(ID, json("{}"), T0));
            List<ExecutionEvent> events = spec.when(new CompleteTask("a", 1, 1, json("{}"), T0));
            assertThat(events).last().isInstanceOf(CheckpointCreated.class);
            assertThat(((CheckpointCreated) events.get(events.size() - 1)).reason()).isEqualTo("task:a");
            assertThat(only(events, TaskStarted.class)).extracting(TaskStarted::taskId).containsExactly("b");
        }

        @Test
        void aCheckpointIsTakenEveryNEvents() {
            ExecutionDecider every5 = new ExecutionDecider(TestDefinitions.CEL, new Limits(1000, 1000, 4, 200, 5));
            ExecutionState s = ExecutionEvolver.fold(ExecutionState.initial(),
                    every5.decide(new ExecutionCommand.Start(ID, json("{}"), T0), ExecutionState.initial(), FAN_OUT));
            List<ExecutionEvent> events = every5.decide(new CompleteTask("a", 1, 1, json("{'v': 1}"), T0), s, FAN_OUT);
            assertThat(events).last().isInstanceOf(CheckpointCreated.class);
            CheckpointCreated cp = (CheckpointCreated) events.get(events.size() - 1);
            assertThat(cp.reason()).isEqualTo("every_n_events");
            assertThat(cp.sequence()).isEqualTo(s.version() + events.size() - 1);
        }
    }

    @Nested
    @DisplayName("restore")
    class Restoring {
        @Test
        void aRestoreOfACheckpointTakenMidRunKeepsCompletedTasksAndRunsTheRest() {
            Spec source = new Spec(FAN_OUT).given(new ExecutionCommand.Start(ID, json("{'n': 1}"), T0),
                    new CompleteTask("a", 1, 1, json("{'v': 7}"), T0),
                    new UpdateState(json("{'k': 'v'}"), false, null, T0),
                    new CompleteTask("b", 1, 1, json("{'b': 1}"), T0));
            CheckpointCreated cp = (CheckpointCreated) source.when(new Checkpoint(T0)).get(0);
            assertThat(source.state.task("c").status()).isEqualTo(TaskStatus.RUNNING);

            Spec restored = new Spec(FAN_OUT);
            List<ExecutionEvent> events = restored.when(new Restore(NEW_ID, cp.checkpointId(), cp.snapshot(), T1));
            ExecutionStarted started = (ExecutionStarted) events.get(0);
            assertThat(started.restoredFrom()).isEqualTo(new RestoredFrom(ID, cp.checkpointId(), cp.sequence()));
            assertThat(started.input()).isEqualTo(json("{'n': 1}"));
            CheckpointRestored carried = (CheckpointRestored) events.get(1);
            assertThat(carried.tasks()).extracting(t -> t.taskId()).containsExactlyInAnyOrder("a", "b");
            // a and b do not run again; c (running at the checkpoint) starts afresh, as run 1 attempt 1
            assertThat(only(events, TaskStarted.class)).containsExactly(new TaskStarted("c", 1, 1, null, T1));
            assertThat(restored.state.task("a").output()).isEqualTo(json("{'v': 7}"));
            assertThat(restored.state.stateData().global()).isEqualTo(json("{'k': 'v'}"));
            assertThat(restored.state.lineage().restoredFrom().executionId()).isEqualTo(ID);
            assertThat(restored.state.deadline()).isEqualTo(T1.plusSeconds(10));
            restored.when(new CompleteTask("c", 1, 1, json("{}"), T1));
            List<ExecutionEvent> end = restored.when(new CompleteTask("d", 1, 1, json("{'d': 1}"), T1));
            assertThat(end).last().isEqualTo(new ExecutionCompleted(json("{'d': {'d': 1}}"), T1));
        }

        @Test
        void theSourceRecordsWhatWasDerivedFromIt() {
            Spec source = new Spec(FAN_OUT).given(new ExecutionCommand.Start(ID, json("{}"), T0), new Cancel("x", T0));
            List<ExecutionEvent> events = source.when(new ExecutionCommand.RecordDerived("replay", NEW_ID, null, T1));
            assertThat(events).containsExactly(new ExecutionDerived("replay", NEW_ID, null, T1));
            assertThat(source.state.lineage().derived()).singleElement()
                    .satisfies(l -> assertThat(l.executionId()).isEqualTo(NEW_ID));
            assertThat(source.state.status()).isEqualTo(ExecutionStatus.CANCELED);
        }
    }

    @Nested
    @DisplayName("re-run")
    class Rerunning {
        /** a completes, b fails for good, c completes, d is skipped because of b: the execution FAILED. */
        Spec failedFanOut() {
            Spec spec = new Spec(FAN_OUT).given(new ExecutionCommand.Start(ID, json("{}"), T0),
                    new CompleteTask("a", 1, 1, json("{'v': 1}"), T0),
                    new FailTask("b", 1, 1, "CLIENT_ERROR", "bad", false, 0.5, T0),
                    new CompleteTask("c", 1, 1, json("{'c': 1}"), T0));
            assertThat(spec.state.status()).isEqualTo(ExecutionStatus.FAILED);
            return spec;
        }

        @Test
        void aFailedFanOutIsReRunFromTheFailedBranch() {
            Spec spec = failedFanOut();
            List<ExecutionEvent> events = spec.when(new Rerun("b", T1));
            assertThat(events.get(0)).isEqualTo(new ExecutionRerun("b", List.of("b", "d"), T1.plusSeconds(10), T1));
            assertThat(only(events, TaskScheduled.class)).containsExactly(new TaskScheduled("b", 2, json("{'from': 1}"),
                    T1));
            assertThat(only(events, TaskStarted.class)).containsExactly(new TaskStarted("b", 2, 1, null, T1));
            assertThat(spec.state.status()).isEqualTo(ExecutionStatus.RUNNING);
            assertThat(spec.state.task("a").output()).isEqualTo(json("{'v': 1}"));
            assertThat(spec.state.task("c").status()).isEqualTo(TaskStatus.COMPLETED);
            // a late result of run 1 is ignored; run 2 completes and d runs as its run 2
            assertThat(spec.when(new CompleteTask("b", 1, 1, json("{}"), T1))).isEmpty();
            List<ExecutionEvent> next = spec.when(new CompleteTask("b", 2, 1, json("{}"), T1));
            assertThat(only(next, TaskStarted.class)).containsExactly(new TaskStarted("d", 2, 1, null, T1));
            List<ExecutionEvent> end = spec.when(new CompleteTask("d", 2, 1, json("{'ok': true}"), T1));
            assertThat(end).last().isEqualTo(new ExecutionCompleted(json("{'d': {'ok': true}}"), T1));
            // the history keeps run 1's failure
            assertThat(only(spec.history, TaskFailed.class)).extracting(TaskFailed::run).containsExactly(1);
            assertThat(spec.state.lineage().reruns()).isEqualTo(1);
        }

        @Test
        void withoutATaskEveryFailedTaskAndWhatItSkippedRunsAgain() {
            Spec spec = failedFanOut();
            ExecutionRerun rerun = (ExecutionRerun) spec.when(new Rerun(null, T1)).get(0);
            assertThat(rerun.tasks()).containsExactly("b", "d");
            assertThat(rerun.fromTask()).isNull();
        }

        @Test
        void aRunningExecutionIsNotReRun() {
            Spec spec = new Spec(FAN_OUT).given(new ExecutionCommand.Start(ID, json("{}"), T0));
            assertThatThrownBy(() -> spec.when(new Rerun("a", T1))).isInstanceOf(CommandRejected.class)
                    .hasMessageContaining("to be finished").hasMessageContaining("RUNNING");
        }

        @Test
        void anUnknownTaskIsInvalidAndACompletedExecutionNeedsOne() {
            Spec spec = new Spec(FAN_OUT).given(new ExecutionCommand.Start(ID, json("{}"), T0),
                    new CompleteTask("a", 1, 1, json("{'v': 1}"), T0), new CompleteTask("b", 1, 1, json("{}"), T0),
                    new CompleteTask("c", 1, 1, json("{}"), T0), new CompleteTask("d", 1, 1, json("{}"), T0));
            assertThat(spec.state.status()).isEqualTo(ExecutionStatus.COMPLETED);
            assertThatThrownBy(() -> spec.when(new Rerun("nope", T1))).isInstanceOf(InvalidRequest.class)
                    .satisfies(e -> assertThat(((InvalidRequest) e).problems().get(0).pointer()).isEqualTo("/from_task"));
            assertThatThrownBy(() -> spec.when(new Rerun(null, T1))).isInstanceOf(CommandRejected.class)
                    .hasMessageContaining("name a from_task");
            ExecutionRerun rerun = (ExecutionRerun) spec.when(new Rerun("c", T1)).get(0);
            assertThat(rerun.tasks()).containsExactly("c", "d");
        }

        @Test
        void aReRunWhileARetryTimerWasPendingIgnoresTheOldTimer() {
            // c fails once and waits 30 s for its retry; the workflow timeout (10 s) ends the execution first
            Spec spec = new Spec(FAN_OUT).given(new ExecutionCommand.Start(ID, json("{}"), T0),
                    new CompleteTask("a", 1, 1, json("{'v': 1}"), T0),
                    new CompleteTask("b", 1, 1, json("{}"), T0),
                    new FailTask("c", 1, 1, "SERVER_ERROR", "flaky", true, 0.0, T0));
            assertThat(spec.state.task("c").status()).isEqualTo(TaskStatus.RETRYING);
            spec.when(new TimeOutExecution(T0.plusSeconds(10)));
            assertThat(spec.state.status()).isEqualTo(ExecutionStatus.FAILED);
            assertThat(spec.state.task("c").status()).isEqualTo(TaskStatus.CANCELED);

            List<ExecutionEvent> events = spec.when(new Rerun(null, T1));
            assertThat(((ExecutionRerun) events.get(0)).tasks()).containsExactly("c", "d");
            assertThat(only(events, TaskStarted.class)).containsExactly(new TaskStarted("c", 2, 1, null, T1));
            // the old retry timer fires: nothing is due (c runs as run 2), so nothing starts
            assertThat(spec.when(new WakeUp(T0.plusSeconds(30)))).isEmpty();
            // the old run's late failure is ignored
            assertThat(spec.when(new FailTask("c", 1, 1, "SERVER_ERROR", "late", true, 0.0, T1))).isEmpty();
            assertThat(spec.state.task("c").run()).isEqualTo(2);
        }
    }
}
