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
 * @param output the output of the task whose {@code state} mapping or transition conditions are evaluated
 *     ({@code output}); null elsewhere, where {@code output} is not bound
 * @param error the failure that sent control to the task or step being decided (an error handler, an
 *     {@code on_error} target): {@code {"type", "message", "task_id", "run"}}; null elsewhere ({@code error} is
 *     then null)
 * @param item the item of a {@code for_each} being resolved ({@code item}); null elsewhere
 * @param index the item's position from 0 ({@code index}); null elsewhere
 * @param signals per signal name, the payload of the latest signal of that name the execution received
 *     ({@code signals.<name>}); null when it received none (then {@code signals} is an empty map)
 * @param event the event an event trigger evaluates its filter, input mapping, idempotency key and signal
 *     correlation over ({@code event}): {@code {key, value, headers, topic, partition, offset, timestamp}} for a
 *     Kafka record, {@code {body, headers, query}} for an HTTP fire; null elsewhere, where {@code event} is not bound
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
        JsonNode output,
        JsonNode error,
        JsonNode item,
        Integer index,
        JsonNode signals,
        JsonNode event) {

    public EvaluationContext(JsonNode input, Map<String, JsonNode> tasks, String executionId, String workflowId,
            Instant startedAt, JsonNode state, Instant now, String uuidSeed) {
        this(input, tasks, executionId, workflowId, startedAt, state, now, uuidSeed, null, null, null, null, null, null);
    }

    public EvaluationContext(JsonNode input, Map<String, JsonNode> tasks, String executionId, String workflowId,
            Instant startedAt, JsonNode state, Instant now, String uuidSeed, JsonNode output) {
        this(input, tasks, executionId, workflowId, startedAt, state, now, uuidSeed, output, null, null, null, null, null);
    }

    /** This context with {@code error} bound (for a task or step that handles a failure). */
    public EvaluationContext withError(JsonNode failure) {
        return new EvaluationContext(input, tasks, executionId, workflowId, startedAt, state, now, uuidSeed, output,
                failure, item, index, signals, event);
    }

    /** This context with {@code item} and {@code index} bound (for one item of a for_each). */
    public EvaluationContext withItem(JsonNode newItem, int newIndex, String newUuidSeed) {
        return new EvaluationContext(input, tasks, executionId, workflowId, startedAt, state, now, newUuidSeed, output,
                error, newItem == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : newItem,
                newIndex, signals, event);
    }

    /** This context with {@code output} bound (for a task's state mapping). */
    public EvaluationContext withOutput(JsonNode taskOutput) {
        return new EvaluationContext(input, tasks, executionId, workflowId, startedAt, state, now, uuidSeed,
                taskOutput == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : taskOutput, error,
                item, index, signals, event);
    }

    /** This context with {@code signals} bound (the latest payload of each signal name the execution received). */
    public EvaluationContext withSignals(JsonNode received) {
        return new EvaluationContext(input, tasks, executionId, workflowId, startedAt, state, now, uuidSeed, output,
                error, item, index, received, event);
    }

    /** This context with {@code event} bound (for an event trigger's expressions). */
    public EvaluationContext withEvent(JsonNode triggerEvent) {
        return new EvaluationContext(input, tasks, executionId, workflowId, startedAt, state, now, uuidSeed, output,
                error, item, index, signals,
                triggerEvent == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : triggerEvent);
    }
}
