package io.harmonia.domain;

import static io.harmonia.domain.TestDefinitions.json;
import static io.harmonia.domain.TestDefinitions.workflow;
import static org.assertj.core.api.Assertions.assertThat;

import io.harmonia.domain.definition.ErrorTypes;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.ChildRules;
import io.harmonia.domain.execution.ExecutionCommand;
import io.harmonia.domain.execution.ExecutionCommand.ChildFinished;
import io.harmonia.domain.execution.ExecutionDecider;
import io.harmonia.domain.execution.ExecutionEvent;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionCompleted;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionFailed;
import io.harmonia.domain.execution.ExecutionEvent.TaskCompleted;
import io.harmonia.domain.execution.ExecutionEvent.TaskFailed;
import io.harmonia.domain.execution.ExecutionEvent.TaskRetryScheduled;
import io.harmonia.domain.execution.ExecutionEvent.TaskStarted;
import io.harmonia.domain.execution.ExecutionEvolver;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.domain.execution.ExecutionStatus;
import io.harmonia.domain.execution.FlowLimits;
import io.harmonia.domain.execution.Limits;
import io.harmonia.domain.execution.ParentLink;
import io.harmonia.domain.execution.TaskStatus;
import io.harmonia.domain.execution.WorkflowIndex;
import io.harmonia.runtime.cluster.Partitioning;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Sub-workflows ({@code workflow.run}) in the decider: given events, when a child ends, then events. */
class ChildRulesTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final String ID = "0c0a0b0d-0000-4000-8000-00000000beef";
    final ExecutionDecider decider = new ExecutionDecider(TestDefinitions.CEL, new Limits(1000, 1000, 2));

    static final WorkflowDefinition PARENT = workflow("""
            {'name': 'parent', 'output': {'r': '${tasks.after.output.v}'},
             'tasks': [
               {'id': 'sub', 'component': 'workflow', 'action': 'run',
                'input': {'workflow_id': 'c0000000-0000-0000-0000-000000000001', 'input': {'n': '${input.n}'}},
                'retry': {'max_attempts': 2, 'initial_delay_ms': 10, 'retriable_errors': ['SERVER_ERROR']}},
               {'id': 'after', 'component': 'core', 'action': 'echo', 'input': {'v': '${tasks.sub.output.total}'},
                'depends_on': ['sub']}]}""");

    ExecutionState state = ExecutionState.initial();

    List<ExecutionEvent> when(ExecutionCommand c) {
        List<ExecutionEvent> events = decider.decide(c, state, PARENT);
        state = ExecutionEvolver.fold(state, events);
        return events;
    }

    /** The parent started, and its workflow.run task is running attempt 1. */
    void givenChildRunning() {
        when(new ExecutionCommand.Start(ID, json("{'n': 4}"), T0));
        assertThat(state.task("sub").status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(state.task("sub").input()).isEqualTo(json(
                "{'workflow_id': 'c0000000-0000-0000-0000-000000000001', 'input': {'n': 4}}"));
    }

    String child(int attempt) {
        return ChildRules.childId(ID, "sub", 1, attempt);
    }

    ChildFinished finished(String childId, ExecutionStatus status, String errorType) {
        return new ChildFinished("sub", 1, childId, status,
                status == ExecutionStatus.COMPLETED ? json("{'total': 40}") : null, errorType,
                status == ExecutionStatus.COMPLETED ? null : "it broke", 0.5, T0.plusSeconds(1));
    }

    @Nested
    @DisplayName("when the child completed")
    class Completed {
        @Test
        void theTaskCompletesWithTheChildsOutputAndDownstreamUsesIt() {
            givenChildRunning();
            List<ExecutionEvent> events = when(finished(child(1), ExecutionStatus.COMPLETED, null));
            assertThat(events.get(0)).isEqualTo(new TaskCompleted("sub", 1, 1, json("{'total': 40}"),
                    T0.plusSeconds(1)));
            assertThat(state.task("after").input()).isEqualTo(json("{'v': 40}"));
            events = when(new ExecutionCommand.CompleteTask("after", 1, 1, json("{'v': 40}"), T0.plusSeconds(2)));
            assertThat(events).last().isInstanceOf(ExecutionCompleted.class);
            assertThat(state.output()).isEqualTo(json("{'r': 40}"));
        }

        @Test
        void aRepeatedReportChangesNothing() {
            givenChildRunning();
            when(finished(child(1), ExecutionStatus.COMPLETED, null));
            assertThat(when(finished(child(1), ExecutionStatus.COMPLETED, null))).isEmpty();
        }
    }

    @Nested
    @DisplayName("when the child failed")
    class Failed {
        @Test
        void theTaskFailsWithTheChildsErrorTypeAndTheExecutionFails() {
            givenChildRunning();
            List<ExecutionEvent> events = when(finished(child(1), ExecutionStatus.FAILED, "CLIENT_ERROR"));
            assertThat(events.get(0)).isInstanceOfSatisfying(TaskFailed.class, f -> {
                assertThat(f.errorType()).isEqualTo("CLIENT_ERROR");
                assertThat(f.message()).contains(child(1)).contains("FAILED").contains("it broke");
            });
            assertThat(events).last().isInstanceOf(ExecutionFailed.class);
        }

        @Test
        void aRetriableErrorStartsANewAttemptWhoseChildIsANewOne() {
            givenChildRunning();
            List<ExecutionEvent> events = when(finished(child(1), ExecutionStatus.FAILED, "SERVER_ERROR"));
            assertThat(events).singleElement().isInstanceOf(TaskRetryScheduled.class);
            events = when(new ExecutionCommand.WakeUp(T0.plusSeconds(5)));
            assertThat(events).singleElement().isInstanceOfSatisfying(TaskStarted.class,
                    s -> assertThat(s.attempt()).isEqualTo(2));
            assertThat(child(2)).isNotEqualTo(child(1));

            // the first attempt's child reporting late changes nothing
            assertThat(when(finished(child(1), ExecutionStatus.COMPLETED, null))).isEmpty();
            assertThat(when(finished(child(2), ExecutionStatus.COMPLETED, null)).get(0))
                    .isInstanceOf(TaskCompleted.class);
        }

        @Test
        void aCanceledChildFailsTheTaskWithCanceled() {
            givenChildRunning();
            List<ExecutionEvent> events = when(finished(child(1), ExecutionStatus.CANCELED, null));
            assertThat(events.get(0)).isInstanceOfSatisfying(TaskFailed.class,
                    f -> assertThat(f.errorType()).isEqualTo(ErrorTypes.CANCELED));
        }
    }

    @Nested
    @DisplayName("when a report is not for the running attempt")
    class Late {
        @Test
        void aReportOfAnUnknownChildIsIgnored() {
            givenChildRunning();
            assertThat(when(finished("11111111-1111-4111-8111-111111111111", ExecutionStatus.COMPLETED, null)))
                    .isEmpty();
        }

        @Test
        void aReportAfterTheParentEndedIsIgnored() {
            givenChildRunning();
            when(new ExecutionCommand.Cancel("enough", T0.plusSeconds(1)));
            assertThat(when(finished(child(1), ExecutionStatus.COMPLETED, null))).isEmpty();
        }
    }

    @Nested
    @DisplayName("child ids and depth")
    class IdsAndDepth {
        @Test
        void theChildIdIsAFunctionOfTheAttemptAndFallsInTheParentsPartition() {
            assertThat(child(1)).isEqualTo(ChildRules.childId(ID, "sub", 1, 1));
            assertThat(ChildRules.childId(ID, "sub", 2, 1)).isNotEqualTo(child(1));
            for (int partitions : new int[] {1, 7, 16, 256}) {
                assertThat(Partitioning.of(child(1), partitions)).isEqualTo(Partitioning.of(ID, partitions));
            }
        }

        @Test
        void aChildIsOneDeeperThanItsParentUpToTheLimit() {
            givenChildRunning();
            FlowLimits limits = new FlowLimits(1000, 10_000, 2);
            assertThat(ChildRules.link(state, "sub", 1, limits)).isEqualTo(new ParentLink(ID, "sub", 1, 1));
            ExecutionState child = ExecutionEvolver.fold(ExecutionState.initial(), decider.decide(
                    new ExecutionCommand.Start(child(1), json("{'n': 1}"), null, new ParentLink(ID, "sub", 1, 2),
                            T0), ExecutionState.initial(), PARENT));
            assertThat(child.parent()).isEqualTo(new ParentLink(ID, "sub", 1, 2));
            assertThat(ChildRules.link(child, "sub", 1, limits)).isNull();
            assertThat(ChildRules.depthProblem(child, "sub", limits)).contains("at most 2").contains("depth 3")
                    .contains(child(1));
            assertThat(ChildRules.depthProblem(state, "sub", limits)).isNull();
        }

        @Test
        void aWorkflowRunTaskIsRecognized() {
            assertThat(ChildRules.runsChild(WorkflowIndex.of(PARENT).task("sub", PARENT))).isTrue();
            assertThat(ChildRules.runsChild(WorkflowIndex.of(PARENT).task("after", PARENT))).isFalse();
        }
    }
}
