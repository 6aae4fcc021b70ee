package io.harmonia.eventstore;

/** An append expected a stream at one version and found it at another: someone else appended first. */
public final class ConcurrencyConflict extends RuntimeException {
    public ConcurrencyConflict(String streamId, long expectedVersion) {
        super("Expected stream '" + streamId + "' at version " + expectedVersion
                + ", but another writer appended to it first");
    }
}
