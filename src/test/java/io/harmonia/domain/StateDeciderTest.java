package io.harmonia.domain;

import static io.harmonia.domain.TestDefinitions.json;
import static io.harmonia.domain.TestDefinitions.workflow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.domain.definition.InvalidRequest;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.ExecutionCommand;
import io.harmonia.domain.execution.ExecutionCommand.UpdateState;
import io.harmonia.domain.execution.ExecutionDecider;
import io.harmonia.domain.execution.ExecutionEvent;
import io.harmonia.domain.execution.ExecutionEvent.StateUpdated;
import io.harmonia.domain.execution.ExecutionEvolver;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.domain.execution.Limits;
import io.harmonia.domain.execution.StateLimitExceeded;
import io.harmonia.domain.execution.StateVersionMismatch;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Given a running execution, when its state is changed from outside (PUT/PATCH /api/state) or by a task's state
 * mapping, then ...
 */
class StateDeciderTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final String ID = "00000000-0000-0000-0000-000000000002";
    static final WorkflowDefinition WAITS = workflow("""
            {'name': 'waits', 'tasks': [{'id': 'wait', 'component': 'core', 'action': 'sleep', 'input': {'ms': 1000}}]}""");
    /** A state of at most 40 bytes of compact JSON; no automatic checkpoints. */
    final ExecutionDecider decider = new ExecutionDecider(TestDefinitions.CEL, new Limits(1000, 1000, 2, 40, 0));
    ExecutionState state = ExecutionState.initial();

    List<ExecutionEvent> when(ExecutionCommand command) {
        List<ExecutionEvent> events = decider.decide(command, state, WAITS);
        state = ExecutionEvolver.fold(state, events);
        return events;
    }

    StateDeciderTest() {
        when(new ExecutionCommand.Start(ID, json("{}"), T0));
    }

    @Test
    void aMergeIsRecordedAsThePatchAndTheVersionGoesUp() {
        JsonNode patch = json("{'a': 1}");
        assertThat(when(new UpdateState(patch, false, null, T0))).containsExactly(
                new StateUpdated(null, 0, patch, false, T0));
        when(new UpdateState(json("{'b': 2, 'a': null}"), false, 1L, T0));
        assertThat(state.stateData().global()).isEqualTo(json("{'b': 2}"));
        assertThat(state.stateData().version()).isEqualTo(2);
    }

    @Test
    void aStaleVersionIsRefusedNamingBoth() {
        when(new UpdateState(json("{'a': 1}"), true, 0L, T0));
        assertThatThrownBy(() -> when(new UpdateState(json("{'a': 2}"), true, 0L, T0)))
                .isInstanceOfSatisfying(StateVersionMismatch.class, e -> {
                    assertThat(e.expected()).isZero();
                    assertThat(e.found()).isEqualTo(1);
                }).hasMessageContaining(ID);
    }

    @Test
    void aStateThatWouldGrowAboveTheLimitIsRefusedAsTooLargeNotAsInvalid() {
        when(new UpdateState(json("{'a': '0123456789'}"), false, null, T0)); // 18 bytes
        assertThatThrownBy(() -> when(new UpdateState(json("{'b': '01234567890123456789'}"), false, null, T0)))
                .isInstanceOfSatisfying(StateLimitExceeded.class, e -> {
                    assertThat(e.size()).isEqualTo(45); // {"a":"0123456789","b":"01234567890123456789"}
                    assertThat(e.limit()).isEqualTo(40);
                }).hasMessageContaining(ID).hasMessageContaining("harmonia.history.max-state-bytes");
        assertThat(state.stateData().version()).isEqualTo(1);
    }

    @Test
    void aReplacementThatIsNotAnObjectIsInvalid() {
        assertThatThrownBy(() -> when(new UpdateState(json("[1]"), true, null, T0)))
                .isInstanceOf(InvalidRequest.class);
    }

    static final WorkflowDefinition APPROVAL = workflow("""
            {'name': 'approval', 'tasks': [
              {'id': 'check', 'component': 'core', 'action': 'echo',
               'state': {'approval_status': '${output.status}', 'checked': '${state.checked + 1}'}},
              {'id': 'approve', 'component': 'core', 'action': 'echo', 'depends_on': ['check'],
               'condition': 'state.approval_status == \\'APPROVED\\'',
               'input': {'by_task': '${tasks.check.state.approval_status}'}},
              {'id': 'reject', 'component': 'core', 'action': 'echo', 'depends_on': ['check'],
               'condition': 'state.approval_status != \\'APPROVED\\''}]}""");

    /** A state of at most 100 bytes, for the state mapping. */
    final ExecutionDecider mapping = new ExecutionDecider(TestDefinitions.CEL, new Limits(1000, 1000, 2, 100, 0));

    /** Given APPROVAL started and its state {"checked": 1}, when check completes with {@code output}. */
    ExecutionState approval(String output) {
        ExecutionState s = ExecutionEvolver.fold(ExecutionState.initial(), mapping.decide(
                new ExecutionCommand.Start(ID, json("{}"), T0), ExecutionState.initial(), APPROVAL));
        s = ExecutionEvolver.fold(s, mapping.decide(new UpdateState(json("{'checked': 1}"), false, null, T0), s,
                APPROVAL));
        return ExecutionEvolver.fold(s, mapping.decide(new ExecutionCommand.CompleteTask("check", 1, 1,
                json(output), T0), s, APPROVAL));
    }

    @Test
    void aStateMappingThatFailsFailsTheTaskAndNothingIsWritten() {
        ExecutionState s = ExecutionEvolver.fold(ExecutionState.initial(), mapping.decide(
                new ExecutionCommand.Start(ID, json("{}"), T0), ExecutionState.initial(), APPROVAL));
        // state.checked is not set yet: the mapping cannot be resolved
        List<ExecutionEvent> events = mapping.decide(new ExecutionCommand.CompleteTask("check", 1, 1,
                json("{'status': 'APPROVED'}"), T0), s, APPROVAL);
        assertThat(events.get(0)).isInstanceOfSatisfying(ExecutionEvent.TaskFailed.class, f -> {
            assertThat(f.errorType()).isEqualTo("EXPRESSION_ERROR");
            assertThat(f.message()).startsWith("state mapping of task 'check' failed: ");
        });
        assertThat(events).noneMatch(e -> e instanceof StateUpdated || e instanceof ExecutionEvent.TaskCompleted);
    }

    @Test
    void laterTasksSeeTheStateInConditionsAndInputs() {
        ExecutionState s = approval("{'status': 'APPROVED'}");
        assertThat(s.stateData().global()).isEqualTo(json("{'checked': 2, 'approval_status': 'APPROVED'}"));
        assertThat(s.stateData().task("check")).isEqualTo(json("{'approval_status': 'APPROVED', 'checked': 2}"));
        assertThat(s.stateData().version()).isEqualTo(2);
        assertThat(s.task("approve").input()).isEqualTo(json("{'by_task': 'APPROVED'}"));
        assertThat(s.task("reject").errorType()).isEqualTo("CONDITION_FALSE");
    }

    @Test
    void aRejectionTakesTheOtherBranch() {
        ExecutionState s = approval("{'status': 'REJECTED'}");
        assertThat(s.task("approve").errorType()).isEqualTo("CONDITION_FALSE");
        assertThat(s.task("reject").status()).isNotEqualTo(io.harmonia.domain.execution.TaskStatus.SKIPPED);
    }

    @Test
    void aStateMappingThatWouldGrowTheStateAboveTheLimitFailsTheTask() {
        ExecutionState s = approval("{'status': '" + "A".repeat(80) + "'}");
        assertThat(s.task("check").errorType()).isEqualTo("PAYLOAD_TOO_LARGE");
        assertThat(s.task("check").errorMessage()).contains("state mapping of task 'check'")
                .contains("above the limit of 100");
        assertThat(s.stateData().version()).isEqualTo(1);
    }
}
