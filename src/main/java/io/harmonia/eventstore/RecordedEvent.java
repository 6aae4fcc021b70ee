package io.harmonia.eventstore;

import java.time.Instant;

/**
 * An event as read back from the store.
 *
 * @param globalPosition the position in the global feed (unique; use {@link FeedPosition} to follow the feed)
 * @param streamVersion the event's version in its stream, from 1
 * @param event the decoded event ({@code ExecutionEvent} or {@code WorkflowEvent})
 */
public record RecordedEvent(
        long globalPosition,
        String txId,
        String streamId,
        int streamVersion,
        String type,
        int schemaVersion,
        Object event,
        Instant occurredAt) {}
