package io.harmonia.runtime.cluster;

import io.smallrye.mutiny.Uni;

/**
 * What the runtime does when this replica's partitions change ({@link Ownership} calls it; the runtime implements
 * it). Calls for one partition never overlap.
 */
public interface PartitionListener {

    /**
     * This replica now owns {@code partition} with fencing {@code epoch}: take up its unfinished executions (restart
     * lost attempts, or adopt a clean {@code handover}), arm its timers. The partition counts as owned (readiness,
     * share) once the Uni completes; a failure is logged and the partition is released to be taken again.
     */
    Uni<Void> acquired(int partition, long epoch, Handover handover);

    /**
     * This replica no longer owns {@code partition} (another replica took it, or its lease could not be renewed):
     * stop driving its executions at once; their appends would be refused anyway.
     */
    void lost(int partition);

    /**
     * This replica is about to give {@code partition} away (rebalancing after a scale-up, or shutdown): start no new
     * attempt in it, and complete once none of its attempts is in flight here, with the attempts recorded as started
     * but not sent. {@link Ownership} waits at most {@code harmonia.cluster.handover-timeout}; after that it releases
     * the partition as not clean.
     */
    Uni<Handover> release(int partition);
}
