package io.harmonia.application;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.config.SignalConfig;
import io.harmonia.domain.definition.InvalidRequest;
import io.harmonia.domain.definition.Problem;
import io.harmonia.domain.execution.ExecutionCommand;
import io.harmonia.domain.execution.ExecutionEvent;
import io.harmonia.runtime.ExecutionEngine;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Delivers signals to executions, from the API, the signals topic and triggers: each becomes a SignalReceived event
 * in the execution's history (see {@code SignalRules} for what a waiting task does with it). The name, id and
 * payload are checked here, for every source, against {@code harmonia.signals.*}.
 */
@ApplicationScoped
public class SignalService {

    /**
     * What a delivery did: {@code recorded} false when a signal with the same id had been received already;
     * {@code consumedBy} the task that took it at once, or null when it is kept for a later wait.
     */
    public record Delivered(String executionId, String name, String signalId, boolean recorded, String consumedBy) {}

    private final ExecutionEngine engine;
    private final SignalConfig config;
    private final Pattern names;

    public SignalService(ExecutionEngine engine, SignalConfig config) {
        this.engine = engine;
        this.config = config;
        this.names = Pattern.compile(config.namePattern());
    }

    /**
     * Delivers signal {@code name} with {@code payload} to an execution. {@code signalId} null: a new id is given.
     * Fails with InvalidRequest (422, pointers {@code /name}, {@code /signal_id}, {@code /payload}) for a name, id or
     * payload outside the limits, ExecutionNotFound (404) for an unknown execution and CommandRejected (409) for a
     * finished one or one that received {@code harmonia.signals.max-per-execution} signals.
     */
    public Uni<Delivered> send(String executionId, String name, String signalId, JsonNode payload, String source) {
        List<Problem> problems = problems(name, signalId, payload);
        if (!problems.isEmpty()) {
            return Uni.createFrom().failure(new InvalidRequest("The signal is invalid", problems));
        }
        String id = signalId == null ? UUID.randomUUID().toString() : signalId;
        return ExecutionService.validId(executionId)
                .chain(() -> engine.decide(executionId,
                        now -> new ExecutionCommand.Signal(name, id, payload, source, now)))
                .map(d -> new Delivered(executionId, name, id,
                        d.events().stream().anyMatch(e -> e instanceof ExecutionEvent.SignalReceived),
                        d.events().stream().filter(e -> e instanceof ExecutionEvent.SignalConsumed)
                                .map(e -> ((ExecutionEvent.SignalConsumed) e).taskId()).findFirst().orElse(null)));
    }

    /** What is wrong with a signal's name, id and payload (nothing: an empty list). */
    public List<Problem> problems(String name, String signalId, JsonNode payload) {
        List<Problem> problems = new ArrayList<>();
        if (name == null || name.isEmpty()) {
            problems.add(new Problem("/name", "expected a signal name, found nothing"));
        } else if (name.length() > config.maxNameLength()) {
            problems.add(new Problem("/name", "expected a signal name of at most " + config.maxNameLength()
                    + " characters, found " + name.length()));
        } else if (!names.matcher(name).matches()) {
            problems.add(new Problem("/name", "expected a signal name matching " + config.namePattern() + ", found '"
                    + name + "'"));
        }
        if (signalId != null && (signalId.isBlank() || signalId.length() > config.maxIdLength())) {
            problems.add(new Problem("/signal_id", "expected a signal id of 1 to " + config.maxIdLength()
                    + " characters, found " + (signalId.isBlank() ? "a blank one" : signalId.length())));
        }
        int size = payloadBytes(payload);
        if (size > config.maxPayloadBytes()) {
            problems.add(new Problem("/payload", "the payload is " + size + " bytes, above the limit of "
                    + config.maxPayloadBytes()));
        }
        return problems;
    }

    /** The size of a payload as JSON text, in bytes (0 for none). */
    public static int payloadBytes(JsonNode payload) {
        return payload == null ? 0 : payload.toString().getBytes(StandardCharsets.UTF_8).length;
    }

    /** The largest payload accepted ({@code harmonia.signals.max-payload-bytes}). */
    public int maxPayloadBytes() {
        return config.maxPayloadBytes();
    }
}
