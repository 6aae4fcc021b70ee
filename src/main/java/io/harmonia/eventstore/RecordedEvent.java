package io.harmonia.eventstore;

import java.time.Instant;

/**
 * An event as read back from the store. It keeps the stored JSON text and decodes it only when {@link #event()} is
 * first asked for: followers of the feed that only pass events on (the Kafka relay, live streams without
 * subscribers) never pay for decoding.
 */
public final class RecordedEvent {
    private final long globalPosition;
    private final String txId;
    private final String streamId;
    private final int streamVersion;
    private final String type;
    private final int schemaVersion;
    private final String payload;
    private final Instant occurredAt;
    private Object event;

    /**
     * @param globalPosition the position in the global feed (unique; use {@link FeedPosition} to follow the feed)
     * @param streamVersion the event's version in its stream, from 1
     * @param payload the event's JSON as stored, in its {@code schemaVersion}
     */
    public RecordedEvent(long globalPosition, String txId, String streamId, int streamVersion, String type,
            int schemaVersion, String payload, Instant occurredAt) {
        this.globalPosition = globalPosition;
        this.txId = txId;
        this.streamId = streamId;
        this.streamVersion = streamVersion;
        this.type = type;
        this.schemaVersion = schemaVersion;
        this.payload = payload;
        this.occurredAt = occurredAt;
    }

    public long globalPosition() {
        return globalPosition;
    }

    public String txId() {
        return txId;
    }

    public String streamId() {
        return streamId;
    }

    public int streamVersion() {
        return streamVersion;
    }

    /** The event type's name, e.g. {@code TaskCompleted}. */
    public String type() {
        return type;
    }

    public int schemaVersion() {
        return schemaVersion;
    }

    /** The stored JSON text of the event (in its {@link #schemaVersion()}). */
    public String payload() {
        return payload;
    }

    public Instant occurredAt() {
        return occurredAt;
    }

    /** The decoded event ({@code ExecutionEvent} or {@code WorkflowEvent}), upcast to the current shape. */
    public Object event() {
        Object e = event;
        if (e == null) {
            try {
                e = EventCodec.decode(type, schemaVersion, payload);
            } catch (IllegalArgumentException bad) {
                throw new IllegalStateException("Could not decode event " + globalPosition + " of stream " + streamId
                        + ": " + bad.getMessage(), bad);
            }
            event = e;
        }
        return e;
    }

    @Override
    public String toString() {
        return "RecordedEvent[" + streamId + "/" + streamVersion + " " + type + "@" + schemaVersion + " at "
                + globalPosition + " tx " + txId + "]";
    }
}
