package io.harmonia.projection.executions;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.eventstore.EventCodec;
import io.harmonia.projection.ListQuery;
import io.harmonia.projection.PageCursor;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The executions read model: one row per execution with its view, written in the append's transaction. */
@ApplicationScoped
public class ExecutionReadModel {

    private final Pool pool;

    public ExecutionReadModel(Pool pool) {
        this.pool = pool;
    }

    private static final String UPSERT = "insert into executions (id, workflow_id, workflow_version, status,"
            + " created_at, updated_at, stream_version, view, partition, wake_at, parent_id)"
            + " values ($1, $2, $3, $4, $5, $5, $6, $7::text::json, $8, $9, $10)"
            + " on conflict (id) do update set status = excluded.status, updated_at = excluded.updated_at,"
            + " stream_version = excluded.stream_version, view = excluded.view, partition = excluded.partition,"
            + " wake_at = excluded.wake_at";
    private static final String UNFINISHED = "status in ('PENDING', 'RUNNING', 'PAUSED')";

    /**
     * The row of one execution's view in {@code partition}, for batching. {@code wake}: when its driver must next
     * take it up (null while it is driven in memory; see the migration V6_1).
     */
    public static Tuple row(ExecutionState s, WorkflowDefinition wf, Instant now, int partition, Instant wake) {
        return Tuple.tuple(java.util.Arrays.asList(UUID.fromString(s.executionId()), UUID.fromString(s.workflowId()),
                s.workflowVersion(), s.status().name(), now.atOffset(ZoneOffset.UTC), (int) s.version(),
                ExecutionView.of(s, wf).toString(), (short) partition,
                wake == null ? null : wake.atOffset(ZoneOffset.UTC),
                s.parent() == null ? null : UUID.fromString(s.parent().executionId())));
    }

    /** Upserts rows made by {@link #row} (one per execution) in one round trip. */
    public Uni<Void> upsertRows(SqlClient tx, List<Tuple> rows) {
        return tx.preparedQuery(UPSERT).executeBatch(rows).replaceWithVoid();
    }

    public Uni<Optional<JsonNode>> view(String executionId) {
        return pool.preparedQuery("select view::text from executions where id = $1")
                .execute(Tuple.of(UUID.fromString(executionId)))
                .map(rows -> rows.size() == 0 ? Optional.empty()
                        : Optional.of(parse(rows.iterator().next().getString(0))));
    }

    /**
     * The unfinished executions of {@code partition} that its new owner must take up now: those with something
     * running, and those whose next timer falls due before {@code horizon}. The others wait in their rows.
     */
    public Uni<List<String>> toTakeUp(int partition, Instant horizon) {
        return ids("select id from executions where partition = $1 and " + UNFINISHED
                + " and (wake_at is null or wake_at <= $2)",
                Tuple.of((short) partition, horizon.atOffset(ZoneOffset.UTC)));
    }

    /**
     * Unfinished executions of the {@code partitions} to take up now: a timer falls due before {@code horizon}, or
     * something runs and nothing changed since {@code idleSince}. At most {@code limit}.
     */
    public Uni<List<String>> dueOrIdle(java.util.Set<Integer> partitions, Instant horizon, Instant idleSince,
            int limit) {
        Short[] owned = partitions.stream().map(Integer::shortValue).toArray(Short[]::new);
        return ids("select id from executions where partition = any($1) and " + UNFINISHED
                + " and (wake_at <= $2 or (wake_at is null and updated_at < $3)) limit $4",
                Tuple.of(owned, horizon.atOffset(ZoneOffset.UTC), idleSince.atOffset(ZoneOffset.UTC), limit));
    }

    /**
     * Gives unfinished executions from before partitions existed their partition ({@code partitionSql}: the
     * expression of {@code Partitioning.sql("id", "$1")}); returns how many.
     */
    public Uni<Integer> fillPartitions(String partitionSql, int partitions) {
        return pool.preparedQuery("update executions set partition = " + partitionSql + " where partition is null"
                + " and " + UNFINISHED).execute(Tuple.of(partitions)).map(rows -> rows.rowCount());
    }

    private Uni<List<String>> ids(String sql, Tuple args) {
        return pool.preparedQuery(sql).execute(args).map(rows -> {
            List<String> ids = new ArrayList<>(rows.size());
            rows.forEach(r -> ids.add(r.getUUID(0).toString()));
            return ids;
        });
    }

    /** A page of execution views, newest first, with the given status and workflow (when not null). */
    public Uni<ListQuery.Page<JsonNode>> list(String status, String workflowId, int limit, int offset,
            PageCursor after, int maxExactTotal) {
        return list(status, workflowId, null, limit, offset, after, maxExactTotal);
    }

    /**
     * A page of execution views, newest first, with the given status, workflow and parent execution (the children
     * its workflow.run tasks started), each when not null.
     */
    public Uni<ListQuery.Page<JsonNode>> list(String status, String workflowId, String parentId, int limit,
            int offset, PageCursor after, int maxExactTotal) {
        ListQuery query = new ListQuery("executions");
        if (parentId != null) {
            query.where("parent_id = ?", UUID.fromString(parentId));
        }
        if (status != null) {
            query.where("status = ?", status);
        }
        if (workflowId != null) {
            query.where("workflow_id = ?", UUID.fromString(workflowId));
        }
        return query.page(pool, "created_at, id, view::text", limit, offset, after, maxExactTotal,
                r -> parse(r.getString(2)));
    }

    private static JsonNode parse(String json) {
        try {
            return EventCodec.json().readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException("Could not parse a stored execution view", e);
        }
    }
}
