package io.harmonia.domain.execution;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One task's state within an execution (its current run).
 *
 * @param attempt the latest attempt started (0 before the first)
 * @param firstStartedAt when the first attempt of the current run started
 * @param deadline the running attempt's deadline, or null
 * @param retryAt when the next attempt is due while RETRYING
 * @param errorType the last error type (of a failure, a retry, or a skip reason)
 */
public record TaskState(
        String taskId,
        TaskStatus status,
        int run,
        int attempt,
        JsonNode input,
        JsonNode output,
        String errorType,
        String errorMessage,
        Instant scheduledAt,
        Instant firstStartedAt,
        Instant startedAt,
        Instant endedAt,
        Instant deadline,
        Instant retryAt) {

    public static TaskState pending(String taskId) {
        return new TaskState(taskId, TaskStatus.PENDING, 0, 0, null, null, null, null, null, null, null, null, null,
                null);
    }

    TaskState with(TaskStatus s) {
        return new TaskState(taskId, s, run, attempt, input, output, errorType, errorMessage, scheduledAt,
                firstStartedAt, startedAt, endedAt, deadline, retryAt);
    }

    TaskState scheduled(int newRun, JsonNode newInput, Instant at) {
        return new TaskState(taskId, TaskStatus.SCHEDULED, newRun, 0, newInput, null, null, null, at, null, null, null,
                null, null);
    }

    TaskState started(int newAttempt, Instant newDeadline, Instant at) {
        return new TaskState(taskId, TaskStatus.RUNNING, run, newAttempt, input, null, errorType, errorMessage,
                scheduledAt, firstStartedAt == null ? at : firstStartedAt, at, null, newDeadline, null);
    }

    TaskState completed(JsonNode newOutput, Instant at) {
        return new TaskState(taskId, TaskStatus.COMPLETED, run, attempt, input, newOutput, null, null, scheduledAt,
                firstStartedAt, startedAt, at, null, null);
    }

    /**
     * The run failed for good. The run and attempt come from the event: a task that fails while it is decided (its
     * condition or input cannot be evaluated, its input is too large) fails run n+1 before any attempt (attempt 0).
     */
    TaskState failed(int failedRun, int failedAttempt, String type, String message, Instant at) {
        return new TaskState(taskId, TaskStatus.FAILED, failedRun, failedAttempt, input, null, type, message,
                scheduledAt, firstStartedAt, startedAt, at, null, null);
    }

    /** The execution ended while the task was SCHEDULED, RUNNING or RETRYING. */
    TaskState canceled(String type, String message, Instant at) {
        return new TaskState(taskId, TaskStatus.CANCELED, run, attempt, input, null, type, message, scheduledAt,
                firstStartedAt, startedAt, at, null, null);
    }

    TaskState retrying(String type, String message, Instant dueAt) {
        return new TaskState(taskId, TaskStatus.RETRYING, run, attempt, input, null, type, message, scheduledAt,
                firstStartedAt, startedAt, null, null, dueAt);
    }

    TaskState skipped(int newRun, String reason, Instant at) {
        return new TaskState(taskId, TaskStatus.SKIPPED, newRun, attempt, input, null, reason, null, scheduledAt,
                firstStartedAt, startedAt, at, null, null);
    }

    /** A for_each task whose items were scheduled: it waits for them (no attempt of its own). */
    TaskState fannedOut(int newRun, Instant at) {
        return new TaskState(taskId, TaskStatus.FANNED_OUT, newRun, 0, null, null, null, null, at, at, at, null, null,
                null);
    }

    TaskState timedOut() {
        return new TaskState(taskId, status, run, attempt, input, output, "TIMEOUT", "attempt " + attempt
                + " timed out", scheduledAt, firstStartedAt, startedAt, endedAt, null, retryAt);
    }

    /** PENDING again for a re-run; the run number stays, so the next run is {@code run + 1}. */
    TaskState rerun() {
        return new TaskState(taskId, TaskStatus.PENDING, run, 0, null, null, null, null, null, null, null, null, null,
                null);
    }
}
