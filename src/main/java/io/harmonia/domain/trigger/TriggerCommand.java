package io.harmonia.domain.trigger;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** What may be asked of a trigger; {@link TriggerRules#decide} turns a command into events. */
public sealed interface TriggerCommand {

    Instant at();

    /** Create the trigger with {@code spec} (validated, canonical, without secrets). */
    record Create(String triggerId, JsonNode spec, Instant at) implements TriggerCommand {}

    /** Replace the definition with {@code spec}. */
    record Update(JsonNode spec, Instant at) implements TriggerCommand {}

    record Pause(Instant at) implements TriggerCommand {}

    record Resume(Instant at) implements TriggerCommand {}

    record Delete(Instant at) implements TriggerCommand {}
}
