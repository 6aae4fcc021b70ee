package io.harmonia.component;

import com.fasterxml.jackson.databind.JsonNode;

/** What one attempt of a task produced: an output, or an error with a type. */
public sealed interface TaskResult {

    static TaskResult success(JsonNode output) {
        return new Success(output);
    }

    static TaskResult failure(String errorType, String message, boolean retriable) {
        return new Failure(errorType, message, retriable);
    }

    static TaskResult pending() {
        return Pending.INSTANCE;
    }

    /**
     * The attempt was handed to an external worker; its result will arrive later as a command (for example from the
     * Kafka task-results topic). Timeouts and retries apply as for any attempt.
     */
    enum Pending implements TaskResult { INSTANCE }

    /** The attempt succeeded with this output. */
    record Success(JsonNode output) implements TaskResult {}

    /**
     * The attempt failed.
     *
     * @param errorType a stable, upper-case error type (see {@link io.harmonia.domain.definition.ErrorTypes})
     * @param message a human-readable message
     * @param retriable the component's opinion on whether a retry may help; a retry policy's
     *     {@code retriable_errors} list, when given, decides instead
     */
    record Failure(String errorType, String message, boolean retriable) implements TaskResult {}
}
