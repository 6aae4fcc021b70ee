package io.harmonia.domain.trigger;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * Changes to an event trigger: its stream is {@code trigger-<id>}. Every record is version 1 of its type unless its
 * doc says otherwise (see {@code EventCodec}). No event holds a secret (an HMAC key is kept outside the events). Fires
 * are not events of this stream (one hot stream would serialize every start): they are counted in the read model.
 */
public sealed interface TriggerEvent {

    String triggerId();

    Instant at();

    /** A trigger was created with {@code spec}, its definition in canonical JSON form (without secrets). */
    record TriggerCreated(String triggerId, JsonNode spec, Instant at) implements TriggerEvent {}

    /** A trigger's definition was replaced by {@code spec} (canonical JSON, without secrets). */
    record TriggerUpdated(String triggerId, JsonNode spec, Instant at) implements TriggerEvent {}

    /** A trigger stopped firing: its Kafka consumer stops, an HTTP fire is refused (409). */
    record TriggerPaused(String triggerId, Instant at) implements TriggerEvent {}

    /** A paused trigger fires again (a Kafka trigger goes on from its group's committed offsets). */
    record TriggerResumed(String triggerId, Instant at) implements TriggerEvent {}

    /** A trigger was deleted: it never fires again and its HMAC key is erased. */
    record TriggerDeleted(String triggerId, Instant at) implements TriggerEvent {}
}
