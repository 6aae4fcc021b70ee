package io.harmonia.domain.execution;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * What may be asked of an execution. Each command carries the time of the decision and, where a decision draws a
 * random number (retry jitter), that number: the decider reads no clock and no random source.
 */
public sealed interface ExecutionCommand {

    Instant now();

    record Start(String executionId, JsonNode input, Instant now) implements ExecutionCommand {}

    record CompleteTask(String taskId, int run, int attempt, JsonNode output, Instant now) implements ExecutionCommand {}

    /** @param random in [0, 1), for retry jitter */
    record FailTask(String taskId, int run, int attempt, String errorType, String message, boolean retriable,
            double random, Instant now) implements ExecutionCommand {}

    /** An attempt's deadline passed. */
    record TimeOutTask(String taskId, int run, int attempt, double random, Instant now) implements ExecutionCommand {}

    /** A timer fired: start retries that are due and tasks waiting for a slot. */
    record WakeUp(Instant now) implements ExecutionCommand {}

    /** The workflow-level deadline passed. */
    record TimeOutExecution(Instant now) implements ExecutionCommand {}

    record Pause(String reason, Instant now) implements ExecutionCommand {}

    record Resume(Instant now) implements ExecutionCommand {}

    record Cancel(String reason, Instant now) implements ExecutionCommand {}

    /**
     * The execution's driver changed without a clean handover (a replica died, or restarted). Attempts that were
     * running are lost: each is started again as a new attempt (at-least-once), except the tasks in {@code keep},
     * whose attempts survive their driver (they only wait for a time that the events record, e.g. core.sleep); and
     * whatever else is due is started.
     */
    record Recover(java.util.Set<String> keep, Instant now) implements ExecutionCommand {
        public Recover {
            keep = java.util.Set.copyOf(keep);
        }

        public Recover(Instant now) {
            this(java.util.Set.of(), now);
        }
    }
}
