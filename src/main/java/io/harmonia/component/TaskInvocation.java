package io.harmonia.component;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One attempt of one task run, as handed to a component.
 *
 * @param executionId the execution
 * @param workflowId the workflow the execution runs
 * @param taskId the task id in the workflow definition
 * @param run which run of the task within the execution (1 for the first; later features may run a task again)
 * @param attempt the attempt number of this run, from 1
 * @param action the action to perform
 * @param input the task input, already resolved (no placeholders left)
 * @param firstStartedAt when the first attempt of this run started; stable across attempts and restarts, so a
 *     durable delay can compute how much of it is left
 * @param deadline when this attempt times out, or null when it has no timeout
 */
public record TaskInvocation(
        String executionId,
        String workflowId,
        String taskId,
        int run,
        int attempt,
        String action,
        JsonNode input,
        Instant firstStartedAt,
        Instant deadline) {}
