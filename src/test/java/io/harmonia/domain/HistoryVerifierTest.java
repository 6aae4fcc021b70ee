package io.harmonia.domain;

import static io.harmonia.domain.TestDefinitions.json;
import static io.harmonia.domain.TestDefinitions.workflow;
import static org.assertj.core.api.Assertions.assertThat;

import io.harmonia.application.HistoryService;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.ExecutionCommand;
import io.harmonia.domain.execution.ExecutionCommand.Cancel;
import io.harmonia.domain.execution.ExecutionCommand.Checkpoint;
import io.harmonia.domain.execution.ExecutionCommand.CompleteTask;
import io.harmonia.domain.execution.ExecutionCommand.FailTask;
import io.harmonia.domain.execution.ExecutionCommand.Pause;
import io.harmonia.domain.execution.ExecutionCommand.RecordDerived;
import io.harmonia.domain.execution.ExecutionCommand.Recover;
import io.harmonia.domain.execution.ExecutionCommand.Rerun;
import io.harmonia.domain.execution.ExecutionCommand.Restore;
import io.harmonia.domain.execution.ExecutionCommand.Resume;
import io.harmonia.domain.execution.ExecutionCommand.Start;
import io.harmonia.domain.execution.ExecutionCommand.TimeOutExecution;
import io.harmonia.domain.execution.ExecutionCommand.TimeOutTask;
import io.harmonia.domain.execution.ExecutionCommand.UpdateState;
import io.harmonia.domain.execution.ExecutionCommand.WakeUp;
import io.harmonia.domain.execution.ExecutionDecider;
import io.harmonia.domain.execution.ExecutionEvent;
import io.harmonia.domain.execution.ExecutionEvent.CheckpointCreated;
import io.harmonia.domain.execution.ExecutionEvent.TaskCompleted;
import io.harmonia.domain.execution.ExecutionEvent.TaskFailed;
import io.harmonia.domain.execution.ExecutionEvent.TaskRetryScheduled;
import io.harmonia.domain.execution.ExecutionEvent.TaskScheduled;
import io.harmonia.domain.execution.ExecutionEvent.TaskStarted;
import io.harmonia.domain.execution.ExecutionEvolver;
import io.harmonia.domain.execution.ExecutionSnapshot;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.domain.execution.HistoryVerifier;
import io.harmonia.domain.execution.HistoryVerifier.Report;
import io.harmonia.domain.execution.Limits;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Given a history recorded by the decider (possibly altered), when it is verified, then same or diverged where. */
class HistoryVerifierTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final String ID = "00000000-0000-0000-0000-000000000001";
    static final Limits LIMITS = new Limits(1000, 1000, 4, 1 << 20, 0);
    final ExecutionDecider decider = new ExecutionDecider(TestDefinitions.CEL, LIMITS);
    final HistoryVerifier verifier = new HistoryVerifier(decider, HistoryService::storedForm);

    static final WorkflowDefinition CHAIN = workflow(HistoryVerifierTest.CHAIN_JSON);

    /** Records what the decider decides, as the engine stores it. */
    final class Recording {
        final WorkflowDefinition wf;
        final List<ExecutionEvent> history = new ArrayList<>();
        ExecutionState state = ExecutionState.initial();

        Recording(WorkflowDefinition wf) {
            this.wf = wf;
        }

        Recording when(ExecutionCommand command) {
            List<ExecutionEvent> events = decider.decide(command, state, wf);
            state = ExecutionEvolver.fold(state, events);
            history.addAll(events);
            return this;
        }

        Report verified() {
            return verifier.verify(history, wf);
        }

        /** The history with event {@code sequence} replaced. */
        List<ExecutionEvent> altered(long sequence, UnaryOperator<ExecutionEvent> change) {
            List<ExecutionEvent> out = new ArrayList<>(history);
            out.set((int) sequence - 1, change.apply(out.get((int) sequence - 1)));
            return out;
        }

        long sequenceOf(Class<?> type, String taskId) {
            for (int i = 0; i < history.size(); i++) {
                if (type.isInstance(history.get(i)) && (taskId == null
                        || ((ExecutionEvent.TaskEvent) history.get(i)).taskId().equals(taskId))) {
                    return i + 1;
                }
            }
            throw new AssertionError("no " + type.getSimpleName() + " of " + taskId + " in " + history);
        }
    }

    static Instant t(long seconds) {
        return T0.plusSeconds(seconds);
    }

    Recording happyChain() {
        return new Recording(CHAIN)
                .when(new Start(ID, json("{'n': 1}"), T0))
                .when(new CompleteTask("a", 1, 1, json("{'v': 1}"), t(1)))
                .when(new CompleteTask("b", 1, 1, json("{'v': 2}"), t(2)))
                .when(new CompleteTask("c", 1, 1, json("{'v': 4}"), t(3)));
    }

    @Nested
    @DisplayName("when today's engine decides as the history says")
    class Same {
        @Test
        void aDagWithAConditionFalseAndAStateWriteIsTheSame() {
            Recording r = happyChain();
            Report report = r.verified();
            assertThat(report.divergence()).isNull();
            assertThat(report.events()).isEqualTo(r.history.size());
            assertThat(report.decisions()).isEqualTo(4);
        }

        @Test
        void retriesWithJitterAreSolvedBackFromTheirDueTime() {
            Recording r = new Recording(CHAIN).when(new Start(ID, json("{'n': 1}"), T0))
                    .when(new FailTask("a", 1, 1, "COMPONENT_ERROR", "boom", true, 0.734, t(1)))
                    .when(new WakeUp(t(3)))
                    .when(new TimeOutTask("a", 1, 2, 0.123, t(9)))
                    .when(new WakeUp(t(20)))
                    .when(new FailTask("a", 1, 3, "COMPONENT_ERROR", "boom again", true, 0.5, t(21)));
            assertThat(r.history).filteredOn(TaskFailed.class::isInstance).hasSize(1);
            assertThat(r.verified().divergence()).isNull();
        }

        @Test
        void inlineResultsDecidedInTheSameAppendAreSeparateDecisions() {
            // runInline: the results of tasks started by a decision are decided at the same instant, one after
            // the other, in one append
            Recording r = new Recording(CHAIN).when(new Start(ID, json("{'n': 1}"), T0))
                    .when(new CompleteTask("a", 1, 1, json("{'v': 1}"), T0))
                    .when(new CompleteTask("b", 1, 1, json("{'v': 2}"), T0))
                    .when(new CompleteTask("c", 1, 1, json("{'v': 4}"), T0));
            assertThat(r.verified()).extracting(Report::divergence, Report::decisions).containsExactly(null, 4);
        }

        @Test
        void pauseResumeStateCheckpointsDerivedAndCancelAreTheSame() {
            Recording r = new Recording(CHAIN).when(new Start(ID, json("{'n': 1}"), T0))
                    .when(new Pause("paused by request", t(1)))
                    .when(new CompleteTask("a", 1, 1, json("{'v': 1}"), t(2)))
                    .when(new Resume(t(3)))
                    .when(new UpdateState(json("{'approved': true}"), false, 0L, t(4)))
                    .when(new Checkpoint(t(5)))
                    .when(new RecordDerived("replay", "00000000-0000-0000-0000-000000000009", null, t(6)))
                    .when(new Cancel(null, t(7)));
            assertThat(r.verified().divergence()).isNull();
        }

        @Test
        void aWorkflowTimeoutIsTheSame() {
            Recording r = new Recording(CHAIN).when(new Start(ID, json("{'n': 1}"), T0))
                    .when(new TimeOutExecution(t(60)));
            assertThat(r.verified().divergence()).isNull();
        }

        @Test
        void aRecoveryThatRestartsLostAttemptsAndKeepsWaitingOnesIsTheSame() {
            WorkflowDefinition fan = workflow("""
                    {'name': 'fan', 'tasks': [
                       {'id': 'a', 'component': 'core', 'action': 'echo'},
                       {'id': 'w', 'component': 'core', 'action': 'sleep', 'input': {'seconds': 5}},
                       {'id': 'b', 'component': 'core', 'action': 'echo'}]}""");
            Recording r = new Recording(fan).when(new Start(ID, json("{}"), T0))
                    .when(new Recover(Set.of("w"), t(1)));
            assertThat(r.history).filteredOn(TaskStarted.class::isInstance).hasSize(5);
            assertThat(r.verified().divergence()).isNull();
        }

        @Test
        void aRestoreAndARerunAreTheSame() {
            Recording source = happyChain();
            ExecutionSnapshot cp = ExecutionSnapshot.of(ExecutionEvolver.fold(ExecutionState.initial(),
                    source.history.subList(0, (int) source.sequenceOf(TaskCompleted.class, "b") + 1)));
            String restored = "00000000-0000-0000-0000-000000000002";
            Recording r = new Recording(CHAIN)
                    .when(new Restore(restored, "cp-1", cp, t(10)))
                    .when(new CompleteTask("c", 1, 1, json("{'v': 4}"), t(11)))
                    .when(new Rerun("b", t(12)))
                    .when(new CompleteTask("b", 2, 1, json("{'v': 2}"), t(13)))
                    .when(new CompleteTask("c", 2, 1, json("{'v': 4}"), t(14)));
            assertThat(r.verified().divergence()).isNull();
        }

        @Test
        void aRewordedMessageIsNotADecision() {
            Recording r = new Recording(CHAIN).when(new Start(ID, json("{'n': 1}"), T0))
                    .when(new TimeOutExecution(t(60)));
            long failed = r.history.size();
            List<ExecutionEvent> reworded = r.altered(failed, e -> {
                var f = (ExecutionEvent.ExecutionFailed) e;
                return new ExecutionEvent.ExecutionFailed(f.errorType(), "worded otherwise", f.taskId(), f.at());
            });
            assertThat(verifier.verify(reworded, CHAIN).divergence()).isNull();
        }
    }

    @Nested
    @DisplayName("when today's engine decides otherwise")
    class Diverged {
        @Test
        void anEditedOutputDivergesAtTheFirstInputResolvedFromIt() {
            Recording r = happyChain();
            long completedA = r.sequenceOf(TaskCompleted.class, "a");
            List<ExecutionEvent> edited = r.altered(completedA, e -> {
                TaskCompleted c = (TaskCompleted) e;
                return new TaskCompleted(c.taskId(), c.run(), c.attempt(), json("{'v': 41}"), c.at());
            });
            Report report = verifier.verify(edited, CHAIN);
            assertThat(report.divergence().sequence()).isEqualTo(r.sequenceOf(TaskScheduled.class, "b"));
            assertThat(report.divergence().reason()).contains("'input'").contains("42");
            assertThat(report.divergence().decided()).isInstanceOf(TaskScheduled.class);
        }

        @Test
        void aDroppedEventDivergesWhereItWasExpected() {
            Recording r = happyChain();
            long scheduledB = r.sequenceOf(TaskScheduled.class, "b");
            List<ExecutionEvent> dropped = new ArrayList<>(r.history);
            dropped.remove((int) scheduledB - 1);
            Report report = verifier.verify(dropped, CHAIN);
            assertThat(report.divergence().sequence()).isEqualTo(scheduledB);
            assertThat(report.divergence().reason()).contains("TaskScheduled");
        }

        @Test
        void aChangedRetryPolicyDivergesAtTheRetry() {
            Recording r = new Recording(CHAIN).when(new Start(ID, json("{'n': 1}"), T0))
                    .when(new FailTask("a", 1, 1, "COMPONENT_ERROR", "boom", true, 0.9, t(1)));
            long retry = r.sequenceOf(TaskRetryScheduled.class, "a");
            WorkflowDefinition faster = workflow(CHAIN_JSON.replace("'initial_delay_ms': 1000",
                    "'initial_delay_ms': 100"));
            Report report = verifier.verify(r.history, faster);
            assertThat(report.divergence().sequence()).isEqualTo(retry);
            assertThat(report.divergence().reason()).contains("due_at").contains("50 to 99 ms");
            WorkflowDefinition noRetry = workflow(CHAIN_JSON.replace("'max_attempts': 3", "'max_attempts': 1"));
            Report none = verifier.verify(r.history, noRetry);
            assertThat(none.divergence().sequence()).isEqualTo(retry);
            assertThat(none.divergence().decided()).isInstanceOf(TaskFailed.class);
        }

        @Test
        void aPolicyThatNowRetriesAnErrorThatFailedForGoodDivergesWhenItNamesItsRetriableErrors() {
            WorkflowDefinition once = workflow(CHAIN_JSON.replace("'max_attempts': 3", "'max_attempts': 1"));
            Recording r = new Recording(once).when(new Start(ID, json("{'n': 1}"), T0))
                    .when(new FailTask("a", 1, 1, "SERVER_ERROR", "down", false, 0.5, t(1)));
            long failed = r.sequenceOf(TaskFailed.class, "a");
            WorkflowDefinition retries = workflow(CHAIN_JSON.replace("'jitter': true}",
                    "'jitter': true, 'retriable_errors': ['SERVER_ERROR']}"));
            Report report = verifier.verify(r.history, retries);
            assertThat(report.divergence().sequence()).isEqualTo(failed);
            assertThat(report.divergence().decided()).isInstanceOf(TaskRetryScheduled.class);
        }

        @Test
        void aDecisionThatGoesOnAtTheSameInstantWithoutAnInlineResultDiverges() {
            // stored: b started in the same decision as a's result, which today's engine would not do
            WorkflowDefinition two = workflow("""
                    {'name': 'two', 'max_parallel_tasks': 1, 'tasks': [
                       {'id': 'a', 'component': 'core', 'action': 'echo'},
                       {'id': 'b', 'component': 'core', 'action': 'echo'}]}""");
            Recording r = new Recording(two).when(new Start(ID, json("{}"), T0));
            List<ExecutionEvent> forged = new ArrayList<>(r.history);
            forged.add(new TaskStarted("b", 1, 1, null, T0));
            Report report = verifier.verify(forged, two);
            assertThat(report.divergence().sequence()).isEqualTo(forged.size());
            assertThat(report.divergence().reason()).contains("same instant");
        }

        @Test
        void aLateResultThatTodaysEngineIgnoresDiverges() {
            Recording r = happyChain();
            List<ExecutionEvent> extra = new ArrayList<>(r.history.subList(0, 3));
            extra.add(new TaskCompleted("a", 1, 7, json("{}"), t(1)));
            Report report = verifier.verify(extra, CHAIN);
            assertThat(report.divergence().sequence()).isEqualTo(4);
            assertThat(report.divergence().reason()).contains("decides nothing");
        }

        @Test
        void aCheckpointTodaysEngineWouldTakeIsReportedAfterTheLastStoredEvent() {
            Recording r = happyChain();
            HistoryVerifier everyTwo = new HistoryVerifier(new ExecutionDecider(TestDefinitions.CEL,
                    LIMITS.withCheckpointEveryEvents(2)), HistoryService::storedForm);
            Report report = everyTwo.verify(r.history, CHAIN);
            assertThat(report.divergence().decided()).isInstanceOf(CheckpointCreated.class);
            assertThat(report.divergence().sequence()).isEqualTo(4);
        }
    }

    static final String CHAIN_JSON = """
            {'name': 'chain', 'output': {'v': '${tasks.c.output.v}'},
             'tasks': [
               {'id': 'a', 'component': 'core', 'action': 'echo', 'input': {'v': '${input.n}'},
                'retry': {'max_attempts': 3, 'initial_delay_ms': 1000, 'jitter': true}, 'timeout_ms': 5000},
               {'id': 'b', 'component': 'core', 'action': 'echo', 'input': {'v': '${tasks.a.output.v + 1}'},
                'depends_on': ['a'], 'state': {'seen': '${output.v}'}},
               {'id': 'x', 'component': 'core', 'action': 'echo', 'input': {}, 'depends_on': ['a'],
                'condition': 'input.n > 10'},
               {'id': 'c', 'component': 'core', 'action': 'echo', 'input': {'v': '${tasks.b.output.v * 2}'},
                'depends_on': ['b', 'x']}],
             'timeout_ms': 60000}""";
}
