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
        JsonNode metadata) {

    public Optional<TaskDefinition> task(String taskId) {
        return tasks.stream().filter(t -> t.id().equals(taskId)).findFirst();
    }

    public WorkflowDefinition withIdAndVersion(String newId, int newVersion) {
        return new WorkflowDefinition(newId, newVersion, name, description, inputSchema, output, tasks, timeoutMs,
                maxParallelTasks, metadata);
    }
}
