package io.harmonia.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * Several replicas on one Postgres: executions are split into partitions, each owned by one replica under a lease
 * with a fencing epoch (README, "Several replicas").
 */
@ConfigMapping(prefix = "harmonia.cluster")
public interface ClusterConfig {

    /**
     * How many partitions the executions are split into. Fixed for the life of a database: every replica must use
     * the same number, and a start with another number than the database holds fails (changing it would move
     * executions between partitions). It bounds how many replicas can share the work.
     */
    @WithDefault("64")
    int partitions();

    /**
     * How long a partition stays owned without a renewal. A replica that died (kill -9, lost node) has its
     * partitions taken by the others this long (plus up to one renew interval) after its last renewal: 8 s + 2 s keeps a takeover within 10 s.
     */
    @WithDefault("8s")
    Duration lease();

    /** How often a replica renews its leases, sends its heartbeat and claims or gives away partitions. */
    @WithDefault("2s")
    Duration renewInterval();

    /**
     * How long a replica waits for the runtime to hand a partition over (no attempt of it in flight) when it gives
     * the partition away, at shutdown or when rebalancing; after that the partition is released as not clean and the
     * next owner restarts the attempts that were running. At shutdown all partitions are handed over at once, so a
     * drain takes at most about this long: keep the Kubernetes grace period above it.
     */
    @WithDefault("20s")
    Duration handoverTimeout();

    /**
     * This replica's name in the partitions table and in {@code /api/cluster}; it must be unique among the running
     * processes. Default: the host name with a short random suffix (unique per process): a replica restarted after a
     * crash then waits, like the others, for its predecessor's leases to expire. Set it to a name that is stable
     * across restarts but never shared by two live processes (e.g. the Kubernetes pod name, from the downward API)
     * and a restarted replica takes its predecessor's partitions back at once, with the next epoch.
     */
    Optional<String> replicaId();

    /**
     * When replicas join, give away the partitions held above the fair share (partitions / live replicas, rounded
     * up), handing them over cleanly, so that a new replica gets work without restarting the others. Off: a replica
     * keeps what it holds and new replicas only take partitions that are released or whose lease expired.
     */
    @WithDefault("true")
    boolean rebalance();
}
