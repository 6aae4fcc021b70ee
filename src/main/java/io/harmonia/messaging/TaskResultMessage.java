package io.harmonia.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.harmonia.domain.definition.ErrorTypes;
import io.harmonia.domain.execution.ExecutionCommand;
import io.harmonia.eventstore.EventCodec;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Function;

/**
 * A worker's answer, read from {@code harmonia.task-results}: a CloudEvent in structured mode (the JSON value has
 * {@code specversion} and {@code data}) or binary mode (the JSON value is the data). The data:
 * <pre>
 * {"execution_id": "...", "task_id": "...", "run": 1, "attempt": 1, "status": "COMPLETED", "output": {...}}
 * {"execution_id": "...", "task_id": "...", "run": 1, "attempt": 1, "status": "FAILED",
 *  "error_type": "SERVER_ERROR", "message": "...", "retriable": true}
 * </pre>
 */
record TaskResultMessage(String executionId, String taskId, int run, int attempt, boolean completed, JsonNode output,
        String errorType, String message, boolean retriable) {

    /** Thrown for a record that is not a task result; the record goes to the dead-letter topic. */
    static final class Malformed extends RuntimeException {
        Malformed(String message) {
            super(message);
        }
    }

    static TaskResultMessage parse(String value) {
        if (value == null) {
            throw new Malformed("expected a JSON task result, found an empty record");
        }
        JsonNode root;
        try {
            root = EventCodec.json().readTree(value);
        } catch (Exception e) {
            throw new Malformed("expected a JSON task result, found text that is not JSON");
        }
        JsonNode data = root != null && root.has("specversion") ? root.get("data") : root;
        if (data == null || !data.isObject()) {
            throw new Malformed("expected a JSON object with execution_id, task_id, attempt and status, found "
                    + (data == null ? "nothing" : data.getNodeType().toString().toLowerCase()));
        }
        String executionId = text(data, "execution_id");
        try {
            UUID.fromString(executionId);
        } catch (IllegalArgumentException e) {
            throw new Malformed("expected execution_id to be a UUID, found '" + executionId + "'");
        }
        String taskId = text(data, "task_id");
        int attempt = positive(data, "attempt", null);
        int run = positive(data, "run", 1);
        String status = text(data, "status");
        switch (status) {
            case "COMPLETED":
                return new TaskResultMessage(executionId, taskId, run, attempt, true,
                        data.has("output") ? data.get("output") : NullNode.getInstance(), null, null, false);
            case "FAILED":
                String type = data.hasNonNull("error_type") ? data.get("error_type").asText() : ErrorTypes.SERVER_ERROR;
                boolean retriable = data.has("retriable") ? data.get("retriable").asBoolean()
                        : ErrorTypes.RETRIABLE_BY_DEFAULT.contains(type);
                return new TaskResultMessage(executionId, taskId, run, attempt, false, null, type,
                        data.path("message").asText("failed in worker"), retriable);
            default:
                throw new Malformed("expected status COMPLETED or FAILED, found '" + status + "'");
        }
    }

    Function<Instant, ExecutionCommand> command(double random) {
        return completed
                ? now -> new ExecutionCommand.CompleteTask(taskId, run, attempt, output, now)
                : now -> new ExecutionCommand.FailTask(taskId, run, attempt, errorType, message, retriable, random, now);
    }

    private static String text(JsonNode data, String field) {
        JsonNode v = data.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new Malformed("expected a string " + field + ", found " + (v == null ? "nothing" : v.toString()));
        }
        return v.asText();
    }

    private static int positive(JsonNode data, String field, Integer dflt) {
        JsonNode v = data.get(field);
        if ((v == null || v.isNull()) && dflt != null) {
            return dflt;
        }
        if (v == null || !v.isIntegralNumber() || v.intValue() < 1) {
            throw new Malformed("expected a positive integer " + field + ", found "
                    + (v == null ? "nothing" : v.toString()));
        }
        return v.intValue();
    }
}
