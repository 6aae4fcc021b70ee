package io.harmonia.projection.schedules;

import io.harmonia.domain.schedule.ScheduleState;
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
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The schedules read model: "which schedules exist, in which partition, and when must their owner next act?" Each
 * row holds the schedule's state as folded from its stream (written in the transaction that appends to it), so
 * deciding the next fire reads one row, not the stream.
 */
@ApplicationScoped
public class ScheduleReadModel {

    /** A schedule whose owner must act soon: fire at {@code nextFireAt}, or release a buffered fire. */
    public record Due(String scheduleId, Instant nextFireAt, boolean buffered) {}

    private static final String UPSERT = "insert into schedules (id, workflow_id, partition, status, next_fire_at,"
            + " buffered, stream_version, state, created_at, updated_at)"
            + " values ($1, $2, $3, $4, $5, $6, $7, $8::text::json, $9, $10)"
            + " on conflict (id) do update set workflow_id = excluded.workflow_id, status = excluded.status,"
            + " next_fire_at = excluded.next_fire_at, buffered = excluded.buffered,"
            + " stream_version = excluded.stream_version, state = excluded.state, updated_at = excluded.updated_at";

    private final Pool pool;

    public ScheduleReadModel(Pool pool) {
        this.pool = pool;
    }

    /** Records {@code state} (of a schedule in {@code partition}) in the caller's transaction. */
    public Uni<Void> saved(SqlClient tx, ScheduleState state, int partition) {
        Instant next = state.nextFireAt().orElse(null);
        return tx.preparedQuery(UPSERT).execute(Tuple.tuple(Arrays.asList(UUID.fromString(state.scheduleId()),
                UUID.fromString(state.spec().workflowId()), (short) partition, state.status().json(),
                next == null ? null : next.atOffset(ZoneOffset.UTC), state.buffered() != null, (int) state.version(),
                write(state), state.createdAt().atOffset(ZoneOffset.UTC), state.updatedAt().atOffset(ZoneOffset.UTC))))
                .replaceWithVoid();
    }

    /** A schedule's state, deleted or not. */
    public Uni<Optional<ScheduleState>> state(String scheduleId) {
        return pool.preparedQuery("select state::text from schedules where id = $1")
                .execute(Tuple.of(UUID.fromString(scheduleId)))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(read(rows.iterator().next().getString(0))));
    }

    /**
     * The schedules of {@code partitions} whose next fire is before {@code horizon} or that have a buffered fire,
     * soonest first, at most {@code limit}.
     */
    public Uni<List<Due>> due(Set<Integer> partitions, Instant horizon, int limit) {
        return pool.preparedQuery("select id, next_fire_at, buffered from schedules where partition = any($1)"
                        + " and status <> 'deleted' and (next_fire_at <= $2 or buffered)"
                        + " order by next_fire_at nulls last limit $3")
                .execute(Tuple.of(partitions.stream().map(Integer::shortValue).toArray(Short[]::new),
                        horizon.atOffset(ZoneOffset.UTC), limit))
                .map(rows -> {
                    List<Due> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new Due(r.getUUID(0).toString(), r.getOffsetDateTime(1) == null ? null
                                : r.getOffsetDateTime(1).toInstant(), r.getBoolean(2)));
                    }
                    return out;
                });
    }

    /** How many schedules are not deleted. */
    public Uni<Long> count() {
        return pool.query("select count(*) from schedules where status <> 'deleted'").execute()
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /** A page of schedules that are not deleted, newest first, of {@code workflowId} when given. */
    public Uni<ListQuery.Page<ScheduleState>> list(String workflowId, int limit, int offset, PageCursor after,
            int maxExactTotal) {
        ListQuery query = new ListQuery("schedules").always("status <> 'deleted'");
        if (workflowId != null) {
            query.where("workflow_id = ?", UUID.fromString(workflowId));
        }
        return query.page(pool, "created_at, id, state::text", limit, offset, after, maxExactTotal,
                r -> read(r.getString(2)));
    }

    private static String write(ScheduleState state) {
        try {
            return EventCodec.json().writeValueAsString(state);
        } catch (Exception e) {
            throw new IllegalStateException("Could not write the state of schedule " + state.scheduleId(), e);
        }
    }

    private static ScheduleState read(String json) {
        try {
            return EventCodec.json().readValue(json, ScheduleState.class);
        } catch (Exception e) {
            throw new IllegalStateException("Could not read a stored schedule state", e);
        }
    }
}
