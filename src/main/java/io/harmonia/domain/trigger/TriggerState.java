package io.harmonia.domain.trigger;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A trigger as its events left it.
 *
 * @param triggerId null until created
 * @param spec the current definition (canonical JSON, without secrets)
 * @param version the number of events of its stream (the expected version of the next append)
 */
public record TriggerState(String triggerId, JsonNode spec, boolean paused, boolean deleted, int version,
        Instant createdAt, Instant updatedAt) {

    public static TriggerState initial() {
        return new TriggerState(null, null, false, false, 0, null, null);
    }

    /** Whether the trigger exists and is not deleted. */
    public boolean exists() {
        return triggerId != null && !deleted;
    }

    public TriggerState withCreated(String id, JsonNode newSpec, Instant at) {
        return new TriggerState(id, newSpec, false, false, version + 1, at, at);
    }

    public TriggerState withSpec(JsonNode newSpec, Instant at) {
        return new TriggerState(triggerId, newSpec, paused, deleted, version + 1, createdAt, at);
    }

    public TriggerState withPaused(boolean nowPaused, Instant at) {
        return new TriggerState(triggerId, spec, nowPaused, deleted, version + 1, createdAt, at);
    }

    public TriggerState withDeleted(Instant at) {
        return new TriggerState(triggerId, spec, paused, true, version + 1, createdAt, at);
    }
}
