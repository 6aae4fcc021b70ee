package io.harmonia.eventstore;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The Postgres event store: append with an expected version, read a stream, follow the global feed.
 * Appends take the caller's connection so that read models are written in the same transaction.
 */
@ApplicationScoped
public class PgEventStore {

    private static final String INSERT = "insert into events (stream_id, stream_version, event_type, schema_version,"
            + " payload, occurred_at) values ($1, $2, $3, $4, $5::text::json, $6)";
    // every column is qualified: an unqualified "tx_id" in ORDER BY would name the output column tx_id::text and
    // order transactions as text ("10" before "9"), which makes the feed skip events
    private static final String COLUMNS = "e.global_position, e.tx_id::text, e.stream_id, e.stream_version,"
            + " e.event_type, e.schema_version, e.payload::text, e.occurred_at";

    private final Pool pool;

    public PgEventStore(Pool pool) {
        this.pool = pool;
    }

    /**
     * Appends events to a stream that must be at {@code expectedVersion}; fails with {@link ConcurrencyConflict}
     * when it is not. Run it inside the caller's transaction.
     */
    public Uni<Void> append(SqlClient tx, String streamId, long expectedVersion, List<?> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return insertRows(tx, rows(streamId, expectedVersion, events))
                .onFailure(PgEventStore::isVersionConflict)
                .transform(err -> new ConcurrencyConflict(streamId, expectedVersion));
    }

    /** The rows that append {@code events} to a stream at {@code expectedVersion}: for batching appends. */
    public static List<Tuple> rows(String streamId, long expectedVersion, List<?> events) {
        List<Tuple> rows = new ArrayList<>(events.size());
        long version = expectedVersion;
        for (Object e : events) {
            String[] enc = EventCodec.encodeToText(e);
            version++;
            rows.add(Tuple.tuple(List.of(streamId, (int) version, enc[0], Short.valueOf(enc[1]), enc[2],
                    occurredAt(e).atOffset(ZoneOffset.UTC))));
        }
        return rows;
    }

    /**
     * Inserts rows made by {@link #rows}, of one stream or many, in one round trip. A version conflict fails it
     * (see {@link #isVersionConflict}); which stream conflicted is for the caller to find out.
     */
    public Uni<Void> insertRows(SqlClient tx, List<Tuple> rows) {
        return tx.preparedQuery(INSERT).executeBatch(rows).replaceWithVoid();
    }

    /** A stream's events from {@code fromVersion} (inclusive, from 1), at most {@code limit}. */
    public Uni<List<RecordedEvent>> readStream(String streamId, int fromVersion, int limit) {
        return pool.preparedQuery("select " + COLUMNS + " from events e where e.stream_id = $1"
                        + " and e.stream_version >= $2 order by e.stream_version limit $3")
                .execute(Tuple.of(streamId, fromVersion, limit))
                .map(rows -> {
                    List<RecordedEvent> out = new ArrayList<>(rows.size());
                    rows.forEach(r -> out.add(toRecorded(r)));
                    return out;
                });
    }

    /** A stream's events from {@code fromVersion} to {@code toVersion} (both inclusive), at most {@code limit}. */
    public Uni<List<RecordedEvent>> readStream(String streamId, int fromVersion, int toVersion, int limit) {
        return pool.preparedQuery("select " + COLUMNS + " from events e where e.stream_id = $1"
                        + " and e.stream_version >= $2 and e.stream_version <= $3 order by e.stream_version limit $4")
                .execute(Tuple.of(streamId, fromVersion, toVersion, limit))
                .map(rows -> {
                    List<RecordedEvent> out = new ArrayList<>(rows.size());
                    rows.forEach(r -> out.add(toRecorded(r)));
                    return out;
                });
    }

    /** A stream from {@code fromVersion} to {@code toVersion} (both inclusive), as a Multi, read page by page. */
    public Multi<RecordedEvent> streamRange(String streamId, int fromVersion, int toVersion) {
        int page = 500;
        return Multi.createBy().repeating()
                .uni(() -> new int[] {fromVersion}, next -> readStream(streamId, next[0], toVersion, page)
                        .invoke(list -> next[0] += list.size()))
                .until(List::isEmpty)
                .onItem().disjoint();
    }

    /**
     * The first page of a stream to load it from, in one round trip: its events from its latest CheckpointCreated at
     * or before {@code maxVersion} (that event first; index events_checkpoints), or from its first event when it has
     * none, up to {@code maxVersion}, at most {@code limit}.
     */
    public Uni<List<RecordedEvent>> readFromLatestCheckpoint(String streamId, int maxVersion, int limit) {
        return pool.preparedQuery("select " + COLUMNS + " from events e where e.stream_id = $1"
                        + " and e.stream_version <= $2 and e.stream_version >= coalesce((select max(c.stream_version)"
                        + " from events c where c.stream_id = $1 and c.event_type = 'CheckpointCreated'"
                        + " and c.stream_version <= $2), 1) order by e.stream_version limit $3")
                .execute(Tuple.of(streamId, maxVersion, limit))
                .map(rows -> {
                    List<RecordedEvent> out = new ArrayList<>(rows.size());
                    rows.forEach(r -> out.add(toRecorded(r)));
                    return out;
                });
    }

    /** The CheckpointCreated event with this checkpoint id, if any (index events_checkpoint_ids). */
    public Uni<java.util.Optional<RecordedEvent>> checkpoint(String checkpointId) {
        return pool.preparedQuery("select " + COLUMNS + " from events e where e.event_type = 'CheckpointCreated'"
                        + " and (e.payload->>'checkpoint_id') = $1 limit 1")
                .execute(Tuple.of(checkpointId))
                .map(rows -> rows.size() == 0 ? java.util.Optional.<RecordedEvent>empty()
                        : java.util.Optional.of(toRecorded(rows.iterator().next())));
    }

    /** A page of a stream's checkpoints, newest first, and how many it has (counted up to a bound). */
    public record CheckpointPage(List<CheckpointSummary> items, long total, boolean totalExact) {}

    private static final String CHECKPOINT_SUMMARY = "select e.payload->>'checkpoint_id',"
            + " (e.payload->>'sequence')::bigint, e.payload->>'reason', e.occurred_at,"
            + " e.payload->'snapshot'->>'workflow_id', (e.payload->'snapshot'->>'workflow_version')::int,"
            + " e.payload->'snapshot'->>'status' from events e"
            + " where e.stream_id = $1 and e.event_type = 'CheckpointCreated'";

    /**
     * A stream's checkpoints, newest (highest sequence) first: {@code limit} of them from {@code offset}, or, with
     * {@code afterCheckpointId}, those older than that checkpoint of the stream (keyset paging); the total is counted
     * exactly up to {@code maxExactTotal}. Reads the partial index events_checkpoints only; the snapshots are not
     * shipped.
     */
    public Uni<CheckpointPage> checkpoints(String streamId, int limit, int offset, String afterCheckpointId,
            int maxExactTotal) {
        String executionId = streamId.substring(streamId.indexOf('-') + 1);
        List<Object> args = new ArrayList<>(List.of(streamId));
        String sql = CHECKPOINT_SUMMARY;
        if (afterCheckpointId != null) {
            args.add(afterCheckpointId);
            sql += " and e.stream_version < coalesce((select c.stream_version from events c"
                    + " where c.event_type = 'CheckpointCreated' and (c.payload->>'checkpoint_id') = $2"
                    + " and c.stream_id = $1), 0)";
        }
        args.add(limit);
        sql += " order by e.stream_version desc limit $" + args.size();
        if (offset > 0) {
            args.add(offset);
            sql += " offset $" + args.size();
        }
        String count = "select count(*) from (select 1 from events e where e.stream_id = $1"
                + " and e.event_type = 'CheckpointCreated' limit " + (maxExactTotal + 1L) + ") matched";
        return pool.preparedQuery(sql).execute(Tuple.tuple(args)).chain(rows -> {
            List<CheckpointSummary> items = new ArrayList<>(rows.size());
            for (Row r : rows) {
                items.add(new CheckpointSummary(r.getString(0), executionId, r.getLong(1), r.getString(2),
                        r.getOffsetDateTime(3).toInstant(), r.getString(4), r.getInteger(5), r.getString(6)));
            }
            return pool.preparedQuery(count).execute(Tuple.of(streamId)).map(c -> {
                long n = c.iterator().next().getLong(0);
                return new CheckpointPage(items, n, n <= maxExactTotal);
            });
        });
    }

    /** A whole stream, as a Multi, read page by page. */
    public Multi<RecordedEvent> streamAll(String streamId) {
        return streamFrom(streamId, 1);
    }

    /** A stream from {@code fromVersion} (inclusive, from 1) to its end, as a Multi, read page by page. */
    public Multi<RecordedEvent> streamFrom(String streamId, int fromVersion) {
        int page = 500;
        return Multi.createBy().repeating()
                .uni(() -> new int[] {fromVersion}, next -> readStream(streamId, next[0], page)
                        .invoke(list -> next[0] += list.size()))
                .until(List::isEmpty)
                .onItem().disjoint();
    }

    /** Total events in a stream. */
    public Uni<Integer> streamLength(String streamId) {
        return pool.preparedQuery("select coalesce(max(stream_version), 0) from events where stream_id = $1")
                .execute(Tuple.of(streamId)).map(rows -> rows.iterator().next().getInteger(0));
    }

    /**
     * The next events of the global feed after {@code after}: only from transactions that can no longer be joined
     * by an earlier-numbered, still-running one.
     */
    public Uni<List<RecordedEvent>> readFeed(FeedPosition after, int limit) {
        return pool.preparedQuery("select " + COLUMNS + " from events e"
                        + " where (e.tx_id, e.global_position) > ($1::xid8, $2)"
                        + " and e.tx_id < pg_snapshot_xmin(pg_current_snapshot())"
                        + " order by e.tx_id, e.global_position limit $3")
                .execute(Tuple.of(after.txId(), after.globalPosition(), limit))
                .map(rows -> {
                    List<RecordedEvent> out = new ArrayList<>(rows.size());
                    rows.forEach(r -> out.add(toRecorded(r)));
                    return out;
                });
    }

    private static RecordedEvent toRecorded(Row r) {
        return new RecordedEvent(r.getLong(0), r.getString(1), r.getString(2), r.getInteger(3), r.getString(4),
                r.getShort(5), r.getString(6), r.getOffsetDateTime(7).toInstant());
    }

    public static boolean isVersionConflict(Throwable t) {
        return t instanceof PgException pg && "23505".equals(pg.getSqlState())
                && String.valueOf(pg.getConstraint() == null ? pg.getMessage() : pg.getConstraint())
                        .contains("events_stream_version");
    }

    private static Instant occurredAt(Object event) {
        if (event instanceof io.harmonia.domain.execution.ExecutionEvent e) {
            return e.at();
        }
        if (event instanceof io.harmonia.domain.workflow.WorkflowEvent e) {
            return e.at();
        }
        if (event instanceof io.harmonia.domain.trigger.TriggerEvent e) {
            return e.at();
        }
        if (event instanceof io.harmonia.domain.schedule.ScheduleEvent e) {
            return e.at();
        }
        throw new IllegalArgumentException("Expected an execution, workflow, schedule or trigger event, found " + event.getClass());
    }
}
