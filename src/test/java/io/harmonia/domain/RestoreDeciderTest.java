package io.harmonia.domain;

import static io.harmonia.domain.TestDefinitions.json;
import static io.harmonia.domain.TestDefinitions.workflow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.CommandRejected;
import io.harmonia.domain.execution.ExecutionCommand;
import io.harmonia.domain.execution.ExecutionDecider;
import io.harmonia.domain.execution.ExecutionEvent;
import io.harmonia.domain.execution.ExecutionEvent.CheckpointCreated;
import io.harmonia.domain.execution.ExecutionEvent.CheckpointRestored;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionStarted;
import io.harmonia.domain.execution.ExecutionEvent.TaskStarted;
import io.harmonia.domain.execution.ExecutionEvolver;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.domain.execution.ExecutionStatus;
import io.harmonia.domain.execution.Limits;
import io.harmonia.domain.execution.TaskState;
import io.harmonia.domain.execution.TaskStatus;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Given an execution checkpointed mid-run (a completed and wrote state, b running, c skipped by its condition), when
 * a new execution is restored from the checkpoint, then only what was not done runs, with the checkpoint's state.
 */
@DisplayName("restoring a checkpoint taken mid-run")
class RestoreDeciderTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final String SOURCE = "00000000-0000-0000-0000-000000000001";
    static final String COPY = "00000000-0000-0000-0000-000000000002";
    static final WorkflowDefinition WF = workflow("""
            {'name': 'restore', 'tasks': [
              {'id': 'a', 'component': 'core', 'action': 'echo', 'input': {'v': '${input.n}'},
               'state': {'seen': '${output.v}'}},
              {'id': 'b', 'component': 'core', 'action': 'sleep', 'input': {'ms': 1000}, 'depends_on': ['a']},
              {'id': 'c', 'component': 'core', 'action': 'echo', 'condition': 'input.n > 10'},
              {'id': 'd', 'component': 'core', 'action': 'echo', 'depends_on': ['b', 'c'],
               'input': {'seen': '${state.seen}'}}]}""");

    final ExecutionDecider decider = new ExecutionDecider(TestDefinitions.CEL, Limits.defaults());

    private ExecutionState decide(ExecutionState s, ExecutionCommand c, List<ExecutionEvent> out) {
        List<ExecutionEvent> events = decider.decide(c, s, WF);
        out.addAll(events);
        return ExecutionEvolver.fold(s, events);
    }

    /** The source: started with n = 3, a completed (state seen = 3), b running, c skipped; then a checkpoint. */
    private CheckpointCreated checkpointMidRun() {
        List<ExecutionEvent> events = new java.util.ArrayList<>();
        ExecutionState s = decide(ExecutionState.initial(), new ExecutionCommand.Start(SOURCE, json("{'n': 3}"), T0),
                events);
        s = decide(s, new ExecutionCommand.CompleteTask("a", 1, 1, json("{'v': 3}"), T0.plusSeconds(1)), events);
        assertThat(s.task("b").status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(s.task("c").status()).isEqualTo(TaskStatus.SKIPPED);
        List<ExecutionEvent> taken = new java.util.ArrayList<>();
        decide(s, new ExecutionCommand.Checkpoint(T0.plusSeconds(2)), taken);
        return (CheckpointCreated) taken.get(0);
    }

    @Test
    void onlyWhatWasNotDoneRunsWithTheCheckpointsState() {
        CheckpointCreated cp = checkpointMidRun();

        List<ExecutionEvent> events = new java.util.ArrayList<>();
        ExecutionState copy = decide(ExecutionState.initial(), new ExecutionCommand.Restore(COPY, cp.checkpointId(),
                cp.snapshot(), T0.plusSeconds(10)), events);

        ExecutionStarted started = (ExecutionStarted) events.get(0);
        assertThat(started.executionId()).isEqualTo(COPY);
        assertThat(started.input()).isEqualTo(json("{'n': 3}"));
        assertThat(started.restoredFrom().executionId()).isEqualTo(SOURCE);
        assertThat(started.restoredFrom().checkpointId()).isEqualTo(cp.checkpointId());
        assertThat(started.restoredFrom().sequence()).isEqualTo(cp.sequence());
        CheckpointRestored restored = (CheckpointRestored) events.get(1);
        assertThat(restored.tasks()).extracting(TaskState::taskId).containsExactlyInAnyOrder("a", "c");
        assertThat(restored.state().global()).isEqualTo(json("{'seen': 3}"));
        assertThat(events).filteredOn(TaskStarted.class::isInstance).extracting(e -> ((TaskStarted) e).taskId())
                .containsExactly("b");
        assertThat(copy.status()).isEqualTo(ExecutionStatus.RUNNING);
        assertThat(copy.task("a").output()).isEqualTo(json("{'v': 3}"));
        assertThat(copy.lineage().restoredFrom().checkpointId()).isEqualTo(cp.checkpointId());

        copy = decide(copy, new ExecutionCommand.CompleteTask("b", 1, 1, json("{}"), T0.plusSeconds(11)), events);
        copy = decide(copy, new ExecutionCommand.CompleteTask("d", 1, 1, json("{}"), T0.plusSeconds(12)), events);
        assertThat(copy.task("d").input()).as("d sees the checkpoint's state").isEqualTo(json("{'seen': 3}"));
        assertThat(copy.status()).isEqualTo(ExecutionStatus.COMPLETED);
        assertThat(events).filteredOn(TaskStarted.class::isInstance).extracting(e -> ((TaskStarted) e).taskId())
                .containsExactly("b", "d");
    }

    @Test
    void aRestoreOntoAnExistingExecutionIsRejected() {
        CheckpointCreated cp = checkpointMidRun();
        List<ExecutionEvent> events = new java.util.ArrayList<>();
        ExecutionState existing = decide(ExecutionState.initial(), new ExecutionCommand.Start(COPY, json("{}"), T0),
                events);

        assertThatThrownBy(() -> decider.decide(new ExecutionCommand.Restore(COPY, cp.checkpointId(), cp.snapshot(),
                T0), existing, WF)).isInstanceOf(CommandRejected.class).hasMessageContaining(COPY);
    }
}
