package io.harmonia.runtime.cluster;

import io.harmonia.eventstore.PartitionLeases;
import java.time.Instant;
import java.util.List;

/** The cluster as Postgres holds it, seen from one replica ({@code replicaId}): for {@code GET /api/cluster}. */
public record ClusterView(String replicaId, int partitionCount, List<Replica> replicas, List<Partition> partitions) {

    /** One replica: its heartbeat, whether it is shutting down, how many partitions it owns. */
    public record Replica(String replicaId, String host, Instant heartbeatAt, boolean draining, int partitionsOwned) {}

    /** One partition: its owner (null: none), fencing epoch and lease. */
    public record Partition(int partition, String owner, long epoch, Instant leaseUntil) {}

    static ClusterView of(String replicaId, int partitionCount, PartitionLeases.Listing l) {
        return new ClusterView(replicaId, partitionCount,
                l.replicas().stream().map(r -> new Replica(r.replicaId(), r.host(), r.heartbeatAt(), r.draining(),
                        r.partitionsOwned())).toList(),
                l.partitions().stream().map(p -> new Partition(p.partition(), p.owner(), p.epoch(), p.leaseUntil()))
                        .toList());
    }
}
