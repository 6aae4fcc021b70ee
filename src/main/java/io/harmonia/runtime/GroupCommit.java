package io.harmonia.runtime;

import io.harmonia.eventstore.ConcurrencyConflict;
import io.harmonia.eventstore.AppendNotifications;
import io.harmonia.eventstore.OwnershipLost;
import io.harmonia.eventstore.PartitionLeases;
import io.harmonia.eventstore.PgEventStore;
import io.harmonia.runtime.cluster.Ownership;
import io.harmonia.projection.executions.ExecutionReadModel;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Group commit: the appends of many executions share one transaction. While one transaction is in flight, new
 * appends queue; when it commits, everything queued goes in the next one. At low load an append commits at once;
 * under load transactions grow, and the cost of a commit (round trips, WAL flush) is shared.
 *
 * <p>Each append keeps its own outcome: if a shared transaction fails (an optimistic-concurrency conflict, a
 * duplicate idempotency key), its appends are retried one transaction each, so only the culprit fails.
 */
@ApplicationScoped
public class GroupCommit {
    static final int MAX_BATCH = 256;
    private static final String STREAM_PREFIX = io.harmonia.eventstore.StreamIds.execution("");

    /**
     * One execution's append: its event rows, its view row, and anything else for the same transaction. The
     * execution's partition and, when this replica owns it, the fencing epoch it holds ({@code epoch < 0}: an append
     * by a replica that does not own the execution, checked by the stream version alone).
     */
    record Append(String streamId, long expectedVersion, List<Tuple> eventRows, Tuple viewRow,
            Function<SqlClient, Uni<Void>> inTransaction, int partition, long epoch, CompletableFuture<Void> done) {}

    private final Pool pool;
    private final PgEventStore store;
    private final ExecutionReadModel readModel;
    private final DistributionSummary batchSizes;
    private final ArrayDeque<Append> queue = new ArrayDeque<>();
    private boolean flushing;

    private final PartitionLeases leases;
    private final Ownership ownership;

    public GroupCommit(Pool pool, PgEventStore store, ExecutionReadModel readModel, MeterRegistry metrics,
            PartitionLeases leases, Ownership ownership) {
        this.leases = leases;
        this.ownership = ownership;
        this.pool = pool;
        this.store = store;
        this.readModel = readModel;
        this.batchSizes = DistributionSummary.builder("harmonia.append.batch.size")
                .description("executions whose appends shared one transaction").register(metrics);
    }

    /**
     * Appends durably; the Uni completes when the transaction holding it has committed. With {@code epoch >= 0} the
     * transaction first checks that this replica still owns {@code partition} with that epoch (the fence), and fails
     * with {@link OwnershipLost} when it does not.
     */
    public Uni<Void> append(String streamId, long expectedVersion, List<Tuple> eventRows, Tuple viewRow,
            Function<SqlClient, Uni<Void>> inTransaction, int partition, long epoch) {
        return Uni.createFrom().deferred(() -> {
            CompletableFuture<Void> done = new CompletableFuture<>();
            boolean flushNow;
            synchronized (this) {
                queue.add(new Append(streamId, expectedVersion, eventRows, viewRow, inTransaction, partition, epoch,
                        done));
                flushNow = !flushing;
                flushing = true;
            }
            if (flushNow) {
                flush();
            }
            return Uni.createFrom().completionStage(done);
        });
    }

    private void flush() {
        List<Append> batch = new ArrayList<>();
        synchronized (this) {
            while (!queue.isEmpty() && batch.size() < MAX_BATCH) {
                batch.add(queue.poll());
            }
            if (batch.isEmpty()) {
                flushing = false;
                return;
            }
        }
        batchSizes.record(batch.size());
        Uni<Void> tx = batch.size() == 1 ? alone(batch.get(0)) : pool.withTransaction(conn -> write(conn, batch));
        tx.subscribe().with(ok -> {
            batch.forEach(a -> a.done().complete(null));
            flush();
        }, err -> {
            if (batch.size() == 1) {
                batch.get(0).done().completeExceptionally(err);
                flush();
                return;
            }
            // find the culprit: one transaction each
            Uni.join().all(batch.stream().map(a -> alone(a).onItemOrFailure().invoke((ok, e) -> {
                if (e == null) {
                    a.done().complete(null);
                } else {
                    a.done().completeExceptionally(e);
                }
            }).onFailure().recoverWithNull()).toList()).andCollectFailures()
                    .subscribe().with(ok -> flush(), e -> flush());
        });
    }

    private Uni<Void> alone(Append a) {
        return pool.withTransaction(conn -> write(conn, List.of(a)))
                .onFailure(PgEventStore::isVersionConflict)
                .transform(err -> new ConcurrencyConflict(a.streamId(), a.expectedVersion()));
    }

    private Uni<Void> write(SqlClient conn, List<Append> batch) {
        List<Tuple> events = new ArrayList<>();
        List<Tuple> views = new ArrayList<>(batch.size());
        for (Append a : batch) {
            events.addAll(a.eventRows());
            views.add(a.viewRow());
        }
        Uni<Void> chain = fence(conn, batch).chain(() -> store.insertRows(conn, events))
                .chain(() -> readModel.upsertRows(conn, views));
        for (Append a : batch) {
            if (a.inTransaction() != null) {
                chain = chain.chain(() -> a.inTransaction().apply(conn));
            }
            if (a.epoch() < 0) { // appended by a replica that does not own it: wake its owner now
                chain = chain.chain(() -> AppendNotifications.notifyAppended(conn,
                        a.streamId().substring(STREAM_PREFIX.length())));
            }
        }
        return chain;
    }

    /** The fence: this replica still owns the partitions of the batch's owned appends, with the same epochs. */
    private Uni<Void> fence(SqlClient conn, List<Append> batch) {
        int owned = 0;
        for (Append a : batch) {
            owned += a.epoch() >= 0 ? 1 : 0;
        }
        if (owned == 0) {
            return Uni.createFrom().voidItem();
        }
        int[] partitions = new int[owned];
        long[] epochs = new long[owned];
        int i = 0;
        for (Append a : batch) {
            if (a.epoch() >= 0) {
                partitions[i] = a.partition();
                epochs[i++] = a.epoch();
            }
        }
        return leases.fence(conn, ownership.replicaId(), partitions, epochs);
    }
}
