package io.harmonia.domain.execution;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * What may be asked of an execution. Each command carries the time of the decision and, where a decision draws a
 * random number (retry jitter), that number: the decider reads no clock and no random source.
 */
public sealed interface ExecutionCommand {

    Instant now();

    /**
     * Starts an execution; {@code replayOf} names the execution it replays, or is null; {@code parent} the task of
     * the execution that starts it as a sub-workflow, or is null.
     */
    record Start(String executionId, JsonNode input, String replayOf, ParentLink parent, Instant now)
            implements ExecutionCommand {
        public Start(String executionId, JsonNode input, Instant now) {
            this(executionId, input, null, null, now);
        }

        public Start(String executionId, JsonNode input, String replayOf, Instant now) {
            this(executionId, input, replayOf, null, now);
        }
    }

    /**
     * A sub-workflow started by task {@code taskId} (run {@code run}) ended: COMPLETED with {@code output}, or
     * FAILED / CANCELED with {@code errorType} and {@code message}. Ignored unless that run of the task is RUNNING.
     */
    record ChildFinished(String taskId, int run, String childExecutionId, ExecutionStatus status, JsonNode output,
            String errorType, String message, double random, Instant now) implements ExecutionCommand {}

    /**
     * Starts an execution from a checkpoint of another: the tasks COMPLETED at the checkpoint (and those SKIPPED
     * because their condition was false) keep their outputs and do not run again, the state is the checkpoint's,
     * the rest runs. The input is the checkpoint's.
     */
    record Restore(String executionId, String checkpointId, ExecutionSnapshot checkpoint, Instant now)
            implements ExecutionCommand {}

    /**
     * Changes the global state from outside: {@code patch} merged (RFC 7396), or the whole state with
     * {@code replace}. With {@code ifVersion}, refused ({@link StateVersionMismatch}) unless the state is at that
     * version.
     */
    record UpdateState(JsonNode patch, boolean replace, Long ifVersion, Instant now) implements ExecutionCommand {}

    /**
     * Delivers a signal (see {@code SignalReceived}): rejected ({@link CommandRejected}) when the execution has
     * finished; nothing happens when a signal with {@code signalId} was received already.
     */
    record Signal(String name, String signalId, JsonNode payload, String source, Instant now)
            implements ExecutionCommand {}

    /** Takes a checkpoint now (any status). */
    record Checkpoint(Instant now) implements ExecutionCommand {}

    /**
     * Runs a finished execution again in place: from {@code fromTask} and everything downstream of it, or, when
     * null, every failed or canceled task and what was skipped because of them.
     */
    record Rerun(String fromTask, Instant now) implements ExecutionCommand {}

    /** Records that another execution was started from this one ({@code relation}: replay or restore). */
    record RecordDerived(String relation, String executionId, String checkpointId, Instant now)
            implements ExecutionCommand {}

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
