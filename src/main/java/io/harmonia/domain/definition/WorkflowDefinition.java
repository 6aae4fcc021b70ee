package io.harmonia.domain.definition;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/**
 * A validated workflow definition at one version. Immutable; executions keep the version they started with.
 *
 * @param id the workflow id
 * @param version from 1, increased by every update
 * @param name the name
 * @param description free text
 * @param inputSchema JSON Schema the execution input must satisfy (null or empty = anything)
 * @param output the output mapping template, evaluated when the execution completes (null = no output)
 * @param tasks in definition order
 * @param timeoutMs a workflow-level timeout, or null
 * @param maxParallelTasks how many tasks of one execution may run at once, or null for the engine default
 * @param metadata free-form
 * @param language {@link Language#TASKS} (a DAG) or {@link Language#STEPS} (a state machine; {@code tasks} then
 *     holds its steps, in definition order)
 * @param startAt the step a state machine starts at (its first step unless {@code start_at} names another); null
 *     for a DAG
 * @param errorHandlers the workflow's {@code error_handlers}, tried in order for a failure no step route handled
 * @param maxIterations how many runs one step may have in one execution unless the step says otherwise
 *     ({@code max_iterations}), or null for the engine default
 */
public record WorkflowDefinition(
        String id,
        int version,
        String name,
        String description,
        JsonNode inputSchema,
        JsonNode output,
        List<TaskDefinition> tasks,
        Long timeoutMs,
        Integer maxParallelTasks,
        JsonNode metadata,
        Language language,
        String startAt,
        List<ErrorRoute> errorHandlers,
        Integer maxIterations) {

    public WorkflowDefinition {
        language = language == null ? Language.TASKS : language;
        errorHandlers = errorHandlers == null ? List.of() : List.copyOf(errorHandlers);
    }

    /** A DAG without error handlers. */
    public WorkflowDefinition(String id, int version, String name, String description, JsonNode inputSchema,
            JsonNode output, List<TaskDefinition> tasks, Long timeoutMs, Integer maxParallelTasks, JsonNode metadata) {
        this(id, version, name, description, inputSchema, output, tasks, timeoutMs, maxParallelTasks, metadata,
                Language.TASKS, null, List.of(), null);
    }

    /** Whether it is a state machine of steps. */
    public boolean stateMachine() {
        return language == Language.STEPS;
    }

    public Optional<TaskDefinition> task(String taskId) {
        return tasks.stream().filter(t -> t.id().equals(taskId)).findFirst();
    }

    public WorkflowDefinition withIdAndVersion(String newId, int newVersion) {
        return new WorkflowDefinition(newId, newVersion, name, description, inputSchema, output, tasks, timeoutMs,
                maxParallelTasks, metadata, language, startAt, errorHandlers, maxIterations);
    }
}
