package io.harmonia.eventstore;

/**
 * An append was refused because its replica no longer owns the execution's partition with the epoch it claimed it
 * with: another replica took the partition over (this one was paused or cut off past its lease), or it was released.
 * Nothing of the append was written; the replica must stop driving the partition's executions.
 */
public final class OwnershipLost extends RuntimeException {
    private final int partition;
    private final long expectedEpoch;
    private final String foundOwner;
    private final long foundEpoch;

    public OwnershipLost(String replicaId, int partition, long expectedEpoch, String foundOwner, long foundEpoch) {
        super("Expected replica '" + replicaId + "' to own partition " + partition + " with epoch " + expectedEpoch
                + ", found it " + (foundOwner == null ? "owned by no replica" : "owned by '" + foundOwner + "'")
                + " with epoch " + foundEpoch + "; the append was refused");
        this.partition = partition;
        this.expectedEpoch = expectedEpoch;
        this.foundOwner = foundOwner;
        this.foundEpoch = foundEpoch;
    }

    public int partition() {
        return partition;
    }

    public long expectedEpoch() {
        return expectedEpoch;
    }

    /** The owner the partitions table holds, or null when no replica owns the partition. */
    public String foundOwner() {
        return foundOwner;
    }

    /** The epoch the partitions table holds (-1 when the partition does not exist at all). */
    public long foundEpoch() {
        return foundEpoch;
    }
}
