package io.harmonia.domain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.harmonia.domain.execution.ExecutionEvent;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionCompleted;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionPaused;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionStarted;
import io.harmonia.domain.execution.ExecutionEvent.TaskRetryScheduled;
import io.harmonia.domain.execution.ExecutionEvent.TaskScheduled;
import io.harmonia.domain.execution.ExecutionEvent.TaskStarted;
import io.harmonia.domain.execution.ExecutionEvolver;
import io.harmonia.domain.execution.ExecutionState;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * When an execution next needs the replica that drives it ({@code ExecutionState.wakeAt}): what the durable timers
 * and the eviction of idle executions rest on. Given events, then the wake time.
 */
class WakeAtTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private static final String ID = "00000000-0000-7000-8000-000000000001";

    private static ExecutionState given(ExecutionEvent... events) {
        return ExecutionEvolver.fold(ExecutionState.initial(), List.of(events));
    }

    private static ExecutionStarted started(Instant deadline) {
        return new ExecutionStarted(ID, ID, 1, JsonNodeFactory.instance.objectNode(), 16, deadline, T0);
    }

    private static TaskScheduled scheduled(String task) {
        return new TaskScheduled(task, 1, JsonNodeFactory.instance.objectNode(), T0);
    }

    @Test
    void anExecutionWithARunningAttemptIsDrivenInMemory() {
        ExecutionState s = given(started(T0.plusSeconds(3600)), scheduled("a"),
                new TaskStarted("a", 1, 1, T0.plusSeconds(30), T0));

        assertThat(s.wakeAt()).isNull();
    }

    @Test
    void anExecutionWaitingForARetryWakesAtTheRetryOrItsDeadlineWhicheverIsFirst() {
        ExecutionState retrying = given(started(null), scheduled("a"), new TaskStarted("a", 1, 1, null, T0),
                new TaskRetryScheduled("a", 1, 1, "SERVER_ERROR", "boom", T0.plusSeconds(3600), T0));
        ExecutionState withEarlierDeadline = given(started(T0.plusSeconds(600)), scheduled("a"),
                new TaskStarted("a", 1, 1, null, T0),
                new TaskRetryScheduled("a", 1, 1, "SERVER_ERROR", "boom", T0.plusSeconds(3600), T0));

        assertThat(retrying.wakeAt()).isEqualTo(T0.plusSeconds(3600));
        assertThat(withEarlierDeadline.wakeAt()).isEqualTo(T0.plusSeconds(600));
    }

    @Test
    void aPausedExecutionWithNothingRunningAndNoTimerNeverWakesByItself() {
        ExecutionState s = given(started(null), new ExecutionPaused("by request", T0));

        assertThat(s.wakeAt()).isEqualTo(ExecutionState.NEVER);
    }

    @Test
    void aFinishedExecutionHasNoWakeTime() {
        ExecutionState s = given(started(T0.plusSeconds(60)),
                new ExecutionCompleted(JsonNodeFactory.instance.objectNode(), T0));

        assertThat(s.wakeAt()).isNull();
    }
}
