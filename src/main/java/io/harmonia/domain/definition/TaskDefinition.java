package io.harmonia.domain.definition;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One task of a workflow.
 *
 * @param id unique within the workflow
 * @param name display name (defaults to the id)
 * @param component the component to call
 * @param action the component's action
 * @param input the input template; {@code ${...}} placeholders are resolved when the task is scheduled
 * @param dependsOn ids of tasks that must be COMPLETED or SKIPPED first
 * @param condition optional expression; false makes the task SKIPPED
 * @param timeoutMs per-attempt timeout, or null for none
 * @param retry the retry policy
 * @param metadata free-form
 * @param state the state mapping: an object template resolved when the task completes (with {@code output} and
 *     {@code state} in scope) and merged into the execution's global state (RFC 7396); null for none
 * @param checkpoint take a checkpoint when the task completes
 */
public record TaskDefinition(
        String id,
        String name,
        String component,
        String action,
        JsonNode input,
        List<String> dependsOn,
        String condition,
        Long timeoutMs,
        RetryPolicy retry,
        JsonNode metadata,
        JsonNode state,
        boolean checkpoint) {

    public TaskDefinition(String id, String name, String component, String action, JsonNode input,
            List<String> dependsOn, String condition, Long timeoutMs, RetryPolicy retry, JsonNode metadata) {
        this(id, name, component, action, input, dependsOn, condition, timeoutMs, retry, metadata, null, false);
    }

    /** Whether the task writes state when it completes. */
    public boolean writesState() {
        return state != null && !state.isNull();
    }
}
