package io.harmonia.eventstore;

/** STUB (replaced by the lease branch): an append refused because this replica no longer owns the partition. */
public final class OwnershipLost extends RuntimeException {
    private final int partition;

    public OwnershipLost(int partition, long expectedEpoch, String foundOwner, long foundEpoch) {
        super("Expected partition " + partition + " to be owned by this replica with epoch " + expectedEpoch
                + ", but it is owned by " + foundOwner + " with epoch " + foundEpoch, null, false, false);
        this.partition = partition;
    }

    public int partition() {
        return partition;
    }
}
