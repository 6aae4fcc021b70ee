package io.harmonia.eventstore;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The bulk_jobs and bulk_job_items tables (V8): bulk replays and re-runs, their items, and which replica runs each
 * job (a lease). Every lease time comes from the database clock.
 */
@ApplicationScoped
public class BulkJobs {

    /** Which executions a job selects; null fields do not filter. */
    public record Filter(String workflowId, String status, Instant startedAfter, Instant startedBefore) {}

    /** A job as stored, with its items counted by state and the reasons of those skipped or failed. */
    public record Job(String id, String mode, JsonNode filter, int maxExecutions, int matched, String status,
            String owner, Instant leaseUntil, Instant createdAt, Instant updatedAt, Instant finishedAt,
            Map<String, Integer> counts, List<Reason> reasons) {
        public int count(String state) {
            return counts.getOrDefault(state, 0);
        }
    }

    /** How many items were skipped or failed ({@code state}) for one reason. */
    public record Reason(String state, String reason, int count) {}

    /** An item: the execution at {@code position} of a job, its state, what it made (the replay) and why not. */
    public record Item(int position, String executionId, String state, String resultId, String reason,
            Instant updatedAt) {}

    /** A job claimed by a replica. */
    public record Claimed(String id, String mode) {}

    /** An item was already done (by another runner, or before a crash): the append that did it again must not stand. */
    public static final class ItemAlreadyDone extends RuntimeException {
        public ItemAlreadyDone(String jobId, int position) {
            super("Expected item " + position + " of bulk job " + jobId + " to be PENDING, but it was already done");
        }
    }

    static final String UNFINISHED = "status in ('PENDING', 'RUNNING')";
    private static final int MAX_REASONS = 20;

    private final Pool pool;

    public BulkJobs(Pool pool) {
        this.pool = pool;
    }

    /**
     * Creates a job and selects its items in one transaction: the executions {@code filter} matches, oldest start
     * first (then by id), at most {@code max}. Returns how many matched.
     */
    public Uni<Integer> create(String id, String mode, JsonNode filterJson, Filter filter, int max, Instant now) {
        UUID job = UUID.fromString(id);
        StringBuilder where = new StringBuilder("true");
        List<Object> args = new ArrayList<>(List.of(job, max));
        if (filter.workflowId() != null) {
            args.add(UUID.fromString(filter.workflowId()));
            where.append(" and workflow_id = $").append(args.size());
        }
        if (filter.status() != null) {
            args.add(filter.status());
            where.append(" and status = $").append(args.size());
        }
        if (filter.startedAfter() != null) {
            args.add(utc(filter.startedAfter()));
            where.append(" and created_at > $").append(args.size());
        }
        if (filter.startedBefore() != null) {
            args.add(utc(filter.startedBefore()));
            where.append(" and created_at < $").append(args.size());
        }
        String select = "insert into bulk_job_items (job_id, position, execution_id)"
                + " select $1, row_number() over (order by created_at, id), id from"
                + " (select id, created_at from executions where " + where + " order by created_at, id limit $2) m";
        return pool.withTransaction(tx -> tx.preparedQuery("insert into bulk_jobs (id, mode, filter, max_executions,"
                        + " matched, status, created_at, updated_at) values ($1, $2, $3::text::json, $4, 0, 'PENDING', $5, $5)")
                .execute(Tuple.of(job, mode, filterJson.toString(), max, utc(now)))
                .chain(() -> tx.preparedQuery(select).execute(Tuple.from(args)))
                .chain(inserted -> tx.preparedQuery("update bulk_jobs set matched = $2 where id = $1")
                        .execute(Tuple.of(job, inserted.rowCount())).map(x -> inserted.rowCount())));
    }

    /**
     * Claims the oldest unfinished job that nobody holds (never claimed, or its lease passed) or that {@code owner}
     * holds already, for {@code lease}; it is RUNNING from then on.
     */
    public Uni<Optional<Claimed>> claim(String owner, Duration lease) {
        return pool.preparedQuery("update bulk_jobs set owner = $1, lease_until = now() + $2 * interval '1 millisecond',"
                        + " status = 'RUNNING', updated_at = now() where id = (select id from bulk_jobs where "
                        + UNFINISHED + " and (owner is null or owner = $1 or lease_until < now())"
                        + " order by created_at limit 1 for update skip locked) returning id, mode")
                .execute(Tuple.of(owner, lease.toMillis()))
                .map(rows -> rows.size() == 0 ? Optional.<Claimed>empty()
                        : Optional.of(new Claimed(rows.iterator().next().getUUID(0).toString(),
                                rows.iterator().next().getString(1))));
    }

    /** Renews {@code owner}'s lease on a RUNNING job; false when it lost the job (expired and taken, canceled). */
    public Uni<Boolean> renew(String id, String owner, Duration lease) {
        return pool.preparedQuery("update bulk_jobs set lease_until = now() + $3 * interval '1 millisecond',"
                        + " updated_at = now() where id = $1 and owner = $2 and status = 'RUNNING'")
                .execute(Tuple.of(UUID.fromString(id), owner, lease.toMillis())).map(rows -> rows.rowCount() == 1);
    }

    /** Gives up {@code owner}'s lease (the job stays unfinished: any replica resumes it at once). */
    public Uni<Void> release(String id, String owner) {
        return pool.preparedQuery("update bulk_jobs set owner = null, lease_until = null where id = $1 and owner = $2"
                        + " and " + UNFINISHED)
                .execute(Tuple.of(UUID.fromString(id), owner)).replaceWithVoid();
    }

    /** The next PENDING items of a job after {@code afterPosition}, in order, at most {@code limit}. */
    public Uni<List<Item>> pending(String id, int afterPosition, int limit) {
        return pool.preparedQuery("select position, execution_id, state, result_id, reason, updated_at"
                        + " from bulk_job_items where job_id = $1 and state = 'PENDING' and position > $2"
                        + " order by position limit $3")
                .execute(Tuple.of(UUID.fromString(id), afterPosition, limit)).map(BulkJobs::items);
    }

    /**
     * Marks an item done in {@code tx}, the transaction of the append that did it; fails with {@link ItemAlreadyDone}
     * (rolling the append back) when it was not PENDING.
     */
    public Uni<Void> markDone(SqlClient tx, String id, int position, String resultId, Instant now) {
        return tx.preparedQuery("update bulk_job_items set state = 'DONE', result_id = $3, updated_at = $4"
                        + " where job_id = $1 and position = $2 and state = 'PENDING'")
                .execute(Tuple.of(UUID.fromString(id), position, UUID.fromString(resultId), utc(now)))
                .invoke(rows -> {
                    if (rows.rowCount() != 1) {
                        throw new ItemAlreadyDone(id, position);
                    }
                })
                .replaceWithVoid();
    }

    /**
     * Ends a PENDING item without an append of its own: DONE (the replay exists already: it was made before a crash
     * lost only this mark), SKIPPED or FAILED, with a reason.
     */
    public Uni<Void> mark(String id, int position, String state, String resultId, String reason, Instant now) {
        return pool.preparedQuery("update bulk_job_items set state = $3, result_id = $4, reason = $5, updated_at = $6"
                        + " where job_id = $1 and position = $2 and state = 'PENDING'")
                .execute(Tuple.of(UUID.fromString(id), position, state,
                        resultId == null ? null : UUID.fromString(resultId), reason, utc(now)))
                .replaceWithVoid();
    }

    /** COMPLETED when no item is PENDING and {@code owner} still holds it; true when it is finished now. */
    public Uni<Boolean> completeIfDone(String id, String owner) {
        return pool.preparedQuery("update bulk_jobs set status = 'COMPLETED', finished_at = now(), updated_at = now(),"
                        + " owner = null, lease_until = null where id = $1 and owner = $2 and status = 'RUNNING'"
                        + " and not exists (select 1 from bulk_job_items where job_id = $1 and state = 'PENDING')")
                .execute(Tuple.of(UUID.fromString(id), owner)).map(rows -> rows.rowCount() == 1);
    }

    /** Cancels an unfinished job: its PENDING items stay undone. Empty when there is no such job. */
    public Uni<Optional<String>> cancel(String id) {
        UUID job = UUID.fromString(id);
        return pool.preparedQuery("update bulk_jobs set status = case when " + UNFINISHED + " then 'CANCELED'"
                        + " else status end, finished_at = case when " + UNFINISHED + " then now() else finished_at"
                        + " end, updated_at = now() where id = $1 returning status")
                .execute(Tuple.of(job))
                .map(rows -> rows.size() == 0 ? Optional.empty()
                        : Optional.of(rows.iterator().next().getString(0)));
    }

    /** The status of a job, without counting its items; empty when there is none. */
    public Uni<Optional<String>> status(String id) {
        return pool.preparedQuery("select status from bulk_jobs where id = $1").execute(Tuple.of(UUID.fromString(id)))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getString(0)));
    }

    /** A job with its items counted; empty when there is none. */
    public Uni<Optional<Job>> find(String id) {
        UUID job = UUID.fromString(id);
        return pool.preparedQuery(JOB_COLUMNS + " where id = $1").execute(Tuple.of(job)).chain(rows -> {
            if (rows.size() == 0) {
                return Uni.createFrom().item(Optional.<Job>empty());
            }
            Row r = rows.iterator().next();
            return pool.preparedQuery("select state, reason, count(*) from bulk_job_items where job_id = $1"
                    + " group by state, reason order by count(*) desc").execute(Tuple.of(job)).map(counted -> {
                        Map<String, Integer> counts = new LinkedHashMap<>();
                        List<Reason> reasons = new ArrayList<>();
                        for (Row c : counted) {
                            int n = c.getLong(2).intValue();
                            counts.merge(c.getString(0), n, Integer::sum);
                            if (c.getString(1) != null && reasons.size() < MAX_REASONS) {
                                reasons.add(new Reason(c.getString(0), c.getString(1), n));
                            }
                        }
                        return Optional.of(job(r, counts, reasons));
                    });
        });
    }

    /** Jobs, newest first, after the job {@code afterId} (null: from the newest), at most {@code limit}; not counted. */
    public Uni<List<Job>> list(String afterId, int limit) {
        Uni<RowSet<Row>> rows = afterId == null
                ? pool.preparedQuery(JOB_COLUMNS + " order by created_at desc, id desc limit $1").execute(Tuple.of(limit))
                : pool.preparedQuery(JOB_COLUMNS + " where (created_at, id) < (select created_at, id from bulk_jobs"
                        + " where id = $1) order by created_at desc, id desc limit $2")
                        .execute(Tuple.of(UUID.fromString(afterId), limit));
        return rows.map(rs -> {
            List<Job> out = new ArrayList<>(rs.size());
            rs.forEach(r -> out.add(job(r, Map.of(), List.of())));
            return out;
        });
    }

    /** A job's items after {@code afterPosition}, in order, with the given state (all when null). */
    public Uni<List<Item>> items(String id, String state, int afterPosition, int limit) {
        return pool.preparedQuery("select position, execution_id, state, result_id, reason, updated_at"
                        + " from bulk_job_items where job_id = $1 and position > $2 and ($3::text is null or state = $3)"
                        + " order by position limit $4")
                .execute(Tuple.of(UUID.fromString(id), afterPosition, state, limit)).map(BulkJobs::items);
    }

    private static final String JOB_COLUMNS = "select id, mode, filter::text, max_executions, matched, status, owner,"
            + " lease_until, created_at, updated_at, finished_at from bulk_jobs";

    private static Job job(Row r, Map<String, Integer> counts, List<Reason> reasons) {
        JsonNode filter;
        try {
            filter = EventCodec.json().readTree(r.getString(2));
        } catch (Exception e) {
            throw new IllegalStateException("Could not parse the stored filter of bulk job " + r.getUUID(0), e);
        }
        return new Job(r.getUUID(0).toString(), r.getString(1), filter, r.getInteger(3), r.getInteger(4),
                r.getString(5), r.getString(6), instant(r.getOffsetDateTime(7)), instant(r.getOffsetDateTime(8)),
                instant(r.getOffsetDateTime(9)), instant(r.getOffsetDateTime(10)), counts, reasons);
    }

    private static List<Item> items(RowSet<Row> rows) {
        List<Item> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            UUID result = r.getUUID(3);
            out.add(new Item(r.getInteger(0), r.getUUID(1).toString(), r.getString(2),
                    result == null ? null : result.toString(), r.getString(4), instant(r.getOffsetDateTime(5))));
        }
        return out;
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    private static OffsetDateTime utc(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }
}
