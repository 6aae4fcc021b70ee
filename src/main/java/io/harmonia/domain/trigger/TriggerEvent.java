package io.harmonia.domain.trigger;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * Changes to an event trigger: its stream is {@code trigger-<id>}. Every record is version 1 of its type unless its
 * doc says otherwise (see {@code EventCodec}). No event holds a secret (an HMAC key is kept outside the events).
 */
public sealed interface TriggerEvent {

    Instant at();

    /** A trigger was created with {@code spec}, its definition in canonical JSON form (without secrets). */
    record TriggerCreated(String triggerId, JsonNode spec, Instant at) implements TriggerEvent {}
}
