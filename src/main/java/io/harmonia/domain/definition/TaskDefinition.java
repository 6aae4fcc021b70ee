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
 * @param routing a step's transitions, error routes and iteration limit ({@link StepRouting#NONE} for a DAG task)
 * @param runIf a DAG task's trigger rule
 * @param forEach the list it fans out over, or null
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
        boolean checkpoint,
        StepRouting routing,
        RunIf runIf,
        ForEach forEach) {

    public TaskDefinition {
        routing = routing == null ? StepRouting.NONE : routing;
        runIf = runIf == null ? RunIf.NONE_FAILED : runIf;
    }

    public TaskDefinition(String id, String name, String component, String action, JsonNode input,
            List<String> dependsOn, String condition, Long timeoutMs, RetryPolicy retry, JsonNode metadata,
            JsonNode state, boolean checkpoint) {
        this(id, name, component, action, input, dependsOn, condition, timeoutMs, retry, metadata, state, checkpoint,
                StepRouting.NONE, RunIf.NONE_FAILED, null);
    }

    public TaskDefinition(String id, String name, String component, String action, JsonNode input,
            List<String> dependsOn, String condition, Long timeoutMs, RetryPolicy retry, JsonNode metadata) {
        this(id, name, component, action, input, dependsOn, condition, timeoutMs, retry, metadata, null, false);
    }

    public TaskDefinition withRouting(StepRouting newRouting) {
        return new TaskDefinition(id, name, component, action, input, dependsOn, condition, timeoutMs, retry, metadata,
                state, checkpoint, newRouting, runIf, forEach);
    }

    public TaskDefinition withRunIf(RunIf newRunIf) {
        return new TaskDefinition(id, name, component, action, input, dependsOn, condition, timeoutMs, retry, metadata,
                state, checkpoint, routing, newRunIf, forEach);
    }

    public TaskDefinition withForEach(ForEach newForEach) {
        return new TaskDefinition(id, name, component, action, input, dependsOn, condition, timeoutMs, retry, metadata,
                state, checkpoint, routing, runIf, newForEach);
    }

    /** Whether it fans out over a list ({@code for_each}). */
    public boolean fansOut() {
        return forEach != null;
    }

    /** Whether the task writes state when it completes. */
    public boolean writesState() {
        return state != null && !state.isNull();
    }
}
