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

/** Given a running execution, when its state is changed from outside (PUT/PATCH /api/state), then ... */
class StateUpdateDeciderTest {
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

    StateUpdateDeciderTest() {
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
}
