package io.harmonia.eventstore;

/**
 * A reader's place in the global feed: events are ordered by (transaction id, global position). Only events of
 * transactions older than every transaction still running are handed out, so a position once passed is never
 * filled in later by a transaction that commits late.
 */
public record FeedPosition(String txId, long globalPosition) {
    public static final FeedPosition START = new FeedPosition("0", 0);
}
