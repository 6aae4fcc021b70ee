package io.harmonia.eventstore;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The partitions and replicas tables (V6__cluster.sql): partition leases with fencing epochs, and replica
 * heartbeats. Every lease time is computed by Postgres ({@code now()}), so the replicas' own clocks never matter.
 * Handovers are stored as the JSON text the caller gives; this class does not read them.
 */
@ApplicationScoped
public class PartitionLeases {

    /** A partition this replica has just claimed: its new epoch and the handover its last owner left (or null). */
    public record Claimed(int partition, long epoch, String handoverJson) {}

    /** One replica as the replicas table holds it, with how many partitions it owns. */
    public record ReplicaRow(String replicaId, String host, Instant startedAt, Instant heartbeatAt, boolean draining,
            int partitionsOwned) {}

    /** One partition as the partitions table holds it (owner and lease null while nobody owns it). */
    public record PartitionRow(int partition, String owner, long epoch, Instant leaseUntil) {}

    /** The whole table pair, for {@code /api/cluster}. */
    public record Listing(List<ReplicaRow> replicas, List<PartitionRow> partitions) {}

    /** What a heartbeat learned: how many live replicas share the partitions (this one included unless draining). */
    public record Beat(int liveReplicas) {}

    /** Replicas silent for this many leases are deleted from the replicas table. */
    static final int FORGET_AFTER_LEASES = 6;

    private final Pool pool;

    public PartitionLeases(Pool pool) {
        this.pool = pool;
    }

    /**
     * Inserts the partition rows at the first start, and checks that the table holds exactly {@code partitions}
     * rows. Fails with {@link IllegalStateException} when it holds another count: changing the partition count
     * would move executions from one partition (and owner) to another.
     */
    public Uni<Void> ensure(int partitions) {
        if (partitions < 1) {
            return Uni.createFrom().failure(new IllegalStateException(
                    "Expected harmonia.cluster.partitions to be at least 1, found " + partitions));
        }
        return pool.preparedQuery("insert into partitions (partition) select g from generate_series(0, $1 - 1) g"
                        + " where not exists (select 1 from partitions) on conflict do nothing")
                .execute(Tuple.of(partitions))
                .chain(() -> pool.query("select count(*), coalesce(max(partition), -1) from partitions").execute())
                .map(rows -> {
                    Row r = rows.iterator().next();
                    long count = r.getLong(0);
                    int max = r.getInteger(1);
                    if (count != partitions || max != partitions - 1) {
                        throw new IllegalStateException("Expected " + partitions + " partitions"
                                + " (harmonia.cluster.partitions), found " + count + " in the database (0.."
                                + max + "); the partition count cannot change once executions exist, since an"
                                + " execution's partition is its id modulo the count: set harmonia.cluster.partitions="
                                + count + " on every replica");
                    }
                    return null;
                })
                .replaceWithVoid();
    }

    /**
     * Records this replica's heartbeat (inserting its row the first time), deletes replicas silent for
     * {@value #FORGET_AFTER_LEASES} leases, and counts the live replicas: heartbeat within {@code lease}, not
     * draining. This replica counts itself unless it is draining.
     */
    public Uni<Beat> heartbeat(String replicaId, String host, boolean draining, Duration lease) {
        // one statement: Postgres runs data-modifying CTEs to completion whether or not they are read, and the final
        // select sees the table as it was before the statement, so this replica is added to the count here
        return pool.preparedQuery("with beat as (insert into replicas (replica_id, host, started_at, heartbeat_at,"
                        + " draining) values ($1, $2, now(), now(), $3) on conflict (replica_id) do update set"
                        + " heartbeat_at = now(), host = excluded.host, draining = excluded.draining returning 1),"
                        + " gone as (delete from replicas where heartbeat_at < now() - $4::bigint * interval"
                        + " '1 millisecond' and replica_id <> $1 returning 1)"
                        + " select count(*) from replicas where replica_id <> $1 and not draining"
                        + " and heartbeat_at >= now() - $5::bigint * interval '1 millisecond'")
                .execute(Tuple.of(replicaId, host, draining, lease.toMillis() * FORGET_AFTER_LEASES,
                        lease.toMillis()))
                .map(rows -> new Beat(rows.iterator().next().getLong(0).intValue() + (draining ? 0 : 1)));
    }

    /** Deletes this replica's row (a clean exit, after it released its partitions). */
    public Uni<Void> forget(String replicaId) {
        return pool.preparedQuery("delete from replicas where replica_id = $1").execute(Tuple.of(replicaId))
                .replaceWithVoid();
    }

    /**
     * Extends the lease of the partitions this replica holds, each by {@code lease} from now, where the table still
     * names this replica as owner with the same epoch; returns those partitions (the others were lost). A lease
     * that has already expired is renewed too when nobody took the partition meanwhile: after a Postgres outage
     * longer than the lease every owner keeps its partitions.
     */
    public Uni<Set<Integer>> renew(String replicaId, Map<Integer, Long> held, Duration lease) {
        if (held.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        Integer[] partitions = new Integer[held.size()];
        Long[] epochs = new Long[held.size()];
        int i = 0;
        for (Map.Entry<Integer, Long> e : held.entrySet()) {
            partitions[i] = e.getKey();
            epochs[i++] = e.getValue();
        }
        return pool.preparedQuery("update partitions p set lease_until = now() + $4::bigint * interval"
                        + " '1 millisecond', updated_at = now() from unnest($2::int[], $3::bigint[]) as h (partition,"
                        + " epoch) where p.partition = h.partition and p.owner = $1 and p.epoch = h.epoch"
                        + " returning p.partition")
                .execute(Tuple.of(replicaId, partitions, epochs, lease.toMillis()))
                .map(rows -> {
                    Set<Integer> renewed = new TreeSet<>();
                    rows.forEach(r -> renewed.add(r.getInteger(0)));
                    return renewed;
                });
    }

    /**
     * Claims up to {@code n} partitions that nobody owns, or that the table says this replica owns (a previous
     * process with the same replica id, which is gone: the caller passes the partitions it holds in {@code skip}),
     * or, when {@code takeExpired}, whose lease has expired, and none of {@code skip}: each gets this replica as
     * owner, its epoch + 1 and a lease of {@code lease} from now.
     * Partitions another replica is claiming at the same moment are skipped ({@code for update skip locked}), so
     * two replicas never claim the same one. Returns each with the handover its last owner left, which this claim
     * clears (a handover is read once). Free partitions come first, then the longest expired.
     */
    public Uni<List<Claimed>> claim(String replicaId, int n, Duration lease, boolean takeExpired, Set<Integer> skip) {
        if (n <= 0) {
            return Uni.createFrom().item(List.of());
        }
        return pool.preparedQuery("with c as (select partition, handover::text as handover from partitions"
                        + " where (owner is null or owner = $1 or ($4 and lease_until < now()))"
                        + " and partition <> all($5::int[])"
                        + " order by owner is not null, lease_until nulls first, partition limit $2"
                        + " for update skip locked)"
                        + " update partitions p set owner = $1, epoch = p.epoch + 1, lease_until = now() + $3::bigint"
                        + " * interval '1 millisecond', handover = null, updated_at = now() from c"
                        + " where p.partition = c.partition returning p.partition, p.epoch, c.handover")
                .execute(Tuple.of(replicaId, n, lease.toMillis(), takeExpired, skip.toArray(Integer[]::new)))
                .map(rows -> {
                    List<Claimed> claimed = new ArrayList<>();
                    rows.forEach(r -> claimed.add(new Claimed(r.getInteger(0), r.getLong(1), r.getString(2))));
                    claimed.sort(java.util.Comparator.comparingInt(Claimed::partition));
                    return claimed;
                });
    }

    /**
     * Gives a partition up: no owner, no lease, and {@code handoverJson} (null: none) kept for the next owner; only
     * while this replica still owns it with {@code epoch}. Returns whether it did.
     */
    public Uni<Boolean> release(String replicaId, int partition, long epoch, String handoverJson) {
        return pool.preparedQuery("update partitions set owner = null, lease_until = null, handover = $4::text::jsonb,"
                        + " updated_at = now() where partition = $2 and owner = $1 and epoch = $3")
                .execute(Tuple.of(replicaId, partition, epoch, handoverJson))
                .map(rows -> rows.rowCount() == 1);
    }

    /**
     * The fence, run inside the caller's append transaction {@code tx}: fails with {@link OwnershipLost} unless
     * {@code replicaId} owns each of {@code partitions} with the matching {@code epochs} entry. The rows are read
     * FOR SHARE and stay locked until the transaction ends, so a takeover (a claim's UPDATE, which bumps the epoch)
     * waits until the append has committed, or has already committed and the append sees the new epoch and is
     * refused: an append of an owner that lost its partition can never land after the new owner took it over. This
     * is how Temporal's SQL persistence fences shard owners (it reads the shard row's range id FOR SHARE in every
     * write transaction, and a new owner's UPDATE of that row bumps it). The lease time is deliberately not checked:
     * an owner whose lease expired while nobody took its partition is still its only owner.
     */
    public Uni<Void> fence(SqlClient tx, String replicaId, int[] partitions, long[] epochs) {
        if (partitions.length != epochs.length) {
            return Uni.createFrom().failure(new IllegalArgumentException("Expected one epoch per partition, found "
                    + partitions.length + " partitions and " + epochs.length + " epochs"));
        }
        Integer[] boxed = new Integer[partitions.length];
        for (int i = 0; i < partitions.length; i++) {
            boxed[i] = partitions[i];
        }
        return tx.preparedQuery("select partition, owner, epoch from partitions where partition = any($1::int[])"
                        + " for share")
                .execute(Tuple.of(boxed))
                .map(rows -> {
                    Map<Integer, Row> found = new HashMap<>();
                    rows.forEach(r -> found.put(r.getInteger(0), r));
                    for (int i = 0; i < partitions.length; i++) {
                        Row r = found.get(partitions[i]);
                        String owner = r == null ? null : r.getString(1);
                        long epoch = r == null ? -1 : r.getLong(2);
                        if (!replicaId.equals(owner) || epoch != epochs[i]) {
                            throw new OwnershipLost(replicaId, partitions[i], epochs[i], owner, epoch);
                        }
                    }
                    return null;
                })
                .replaceWithVoid();
    }

    /** Every replica (with how many partitions it owns) and every partition, for an operator's view. */
    public Uni<Listing> list() {
        Uni<List<ReplicaRow>> replicas = pool.query("select r.replica_id, r.host, r.started_at, r.heartbeat_at,"
                        + " r.draining, (select count(*) from partitions p where p.owner = r.replica_id)"
                        + " from replicas r order by r.started_at, r.replica_id").execute()
                .map(rows -> {
                    List<ReplicaRow> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new ReplicaRow(r.getString(0), r.getString(1),
                            r.getOffsetDateTime(2).toInstant(), r.getOffsetDateTime(3).toInstant(), r.getBoolean(4),
                            r.getLong(5).intValue())));
                    return out;
                });
        Uni<List<PartitionRow>> partitions = pool.query("select partition, owner, epoch, lease_until from partitions"
                        + " order by partition").execute()
                .map(rows -> {
                    List<PartitionRow> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new PartitionRow(r.getInteger(0), r.getString(1), r.getLong(2),
                            r.getOffsetDateTime(3) == null ? null : r.getOffsetDateTime(3).toInstant())));
                    return out;
                });
        return replicas.chain(rs -> partitions.map(ps -> new Listing(rs, ps)));
    }
}
