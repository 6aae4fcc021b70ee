package io.harmonia.application;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.domain.execution.ExecutionCommand;
import io.harmonia.domain.execution.ExecutionEvent;
import io.harmonia.runtime.ExecutionEngine;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * Delivers signals to executions, from the API, the signals topic and triggers: each becomes a SignalReceived event
 * in the execution's history (see {@code SignalRules} for what a waiting task does with it).
 */
@ApplicationScoped
public class SignalService {

    /**
     * What a delivery did: {@code recorded} false when a signal with the same id had been received already;
     * {@code consumedBy} the task that took it at once, or null when it is kept for a later wait.
     */
    public record Delivered(String executionId, String name, String signalId, boolean recorded, String consumedBy) {}

    private final ExecutionEngine engine;

    public SignalService(ExecutionEngine engine) {
        this.engine = engine;
    }

    /**
     * Delivers signal {@code name} with {@code payload} to an execution. {@code signalId} null: a new id is given.
     * Fails with ExecutionNotFound (404) for an unknown execution and CommandRejected (409) for a finished one.
     */
    public Uni<Delivered> send(String executionId, String name, String signalId, JsonNode payload, String source) {
        String id = signalId == null ? UUID.randomUUID().toString() : signalId;
        return ExecutionService.validId(executionId)
                .chain(() -> engine.decide(executionId,
                        now -> new ExecutionCommand.Signal(name, id, payload, source, now)))
                .map(d -> new Delivered(executionId, name, id,
                        d.events().stream().anyMatch(e -> e instanceof ExecutionEvent.SignalReceived),
                        d.events().stream().filter(e -> e instanceof ExecutionEvent.SignalConsumed)
                                .map(e -> ((ExecutionEvent.SignalConsumed) e).taskId()).findFirst().orElse(null)));
    }
}
