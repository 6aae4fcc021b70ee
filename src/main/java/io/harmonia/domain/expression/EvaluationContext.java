package io.harmonia.domain.expression;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;

/**
 * Everything an expression may read. Nothing else is visible to it.
 *
 * @param input the execution input
 * @param tasks per task id: {@code {"output": ..., "status": "COMPLETED", "error": {...}}}
 * @param executionId the execution id ({@code execution.id})
 * @param workflowId the workflow id ({@code execution.workflow_id})
 * @param startedAt when the execution started ({@code execution.started_at})
 * @param state the execution's state scope (an object; empty until later features fill it)
 * @param now the engine's clock at the time of the decision; {@code now()} returns it
 * @param uuidSeed a seed unique to this evaluation site; {@code uuid()} derives its ids from it deterministically
 * @param output the output of the task whose {@code state} mapping is evaluated ({@code output}); null elsewhere,
 *     where {@code output} is not bound
 */
public record EvaluationContext(
        JsonNode input,
        Map<String, JsonNode> tasks,
        String executionId,
        String workflowId,
        Instant startedAt,
        JsonNode state,
        Instant now,
        String uuidSeed,
        JsonNode output) {

    public EvaluationContext(JsonNode input, Map<String, JsonNode> tasks, String executionId, String workflowId,
            Instant startedAt, JsonNode state, Instant now, String uuidSeed) {
        this(input, tasks, executionId, workflowId, startedAt, state, now, uuidSeed, null);
    }

    /** This context with {@code output} bound (for a task's state mapping). */
    public EvaluationContext withOutput(JsonNode taskOutput) {
        return new EvaluationContext(input, tasks, executionId, workflowId, startedAt, state, now, uuidSeed,
                taskOutput == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : taskOutput);
    }
}
