package io.harmonia.projection.triggers;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.domain.trigger.TriggerState;
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
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The triggers read model: "which triggers exist, what do they say, are they firing, and how often did they fire?"
 * The definition columns follow the trigger streams (written in the append's transaction); the counters are added to
 * by every replica that fires the trigger.
 */
@ApplicationScoped
public class TriggerReadModel {

    /** Fires counted since the trigger was created. */
    public record Stats(long fired, long ignored, long failed, Instant lastFiredAt) {}

    /** One trigger as shown. {@code secretSet}: an HMAC key is kept for it. */
    public record TriggerRow(String id, JsonNode spec, boolean paused, boolean deleted, int version,
            Instant createdAt, Instant updatedAt, Stats stats, boolean secretSet) {}

    private static final String COLUMNS = "created_at, id, spec::text, paused, deleted, version, updated_at, fired,"
            + " ignored, failed, last_fired_at, exists (select 1 from trigger_secrets s where s.trigger_id = id)";

    private final Pool pool;

    public TriggerReadModel(Pool pool) {
        this.pool = pool;
    }

    /** Records the state of a trigger after an append (in that append's transaction). */
    public Uni<Void> save(SqlClient tx, TriggerState s, String source) {
        return tx.preparedQuery("insert into triggers (id, name, source, spec, paused, deleted, version, created_at,"
                        + " updated_at) values ($1, $2, $3, $4::text::json, $5, $6, $7, $8, $9) on conflict (id) do"
                        + " update set name = excluded.name, source = excluded.source, spec = excluded.spec, paused ="
                        + " excluded.paused, deleted = excluded.deleted, version = excluded.version, updated_at ="
                        + " excluded.updated_at")
                .execute(Tuple.tuple(List.of(UUID.fromString(s.triggerId()), s.spec().path("name").asText(), source,
                        s.spec().toString(), s.paused(), s.deleted(), s.version(), utc(s.createdAt()),
                        utc(s.updatedAt()))))
                .replaceWithVoid();
    }

    public Uni<Optional<TriggerRow>> get(String id) {
        return pool.preparedQuery("select " + COLUMNS + " from triggers where id = $1 and not deleted")
                .execute(Tuple.of(UUID.fromString(id)))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(toRow(rows.iterator().next())));
    }

    /** The triggers that are not deleted: how many there are (for {@code harmonia.triggers.max-triggers}). */
    public Uni<Long> count() {
        return pool.query("select count(*) from triggers where not deleted").execute()
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /** Every Kafka trigger that is neither deleted nor paused: what a replica's consumers should be. */
    public Uni<List<TriggerRow>> activeKafkaTriggers() {
        return pool.query("select " + COLUMNS + " from triggers where source = 'kafka' and not deleted and not paused")
                .execute().map(rows -> {
                    List<TriggerRow> out = new ArrayList<>();
                    rows.forEach(r -> out.add(toRow(r)));
                    return out;
                });
    }

    /** A page of triggers that are not deleted, newest first, optionally of one workflow. */
    public Uni<ListQuery.Page<TriggerRow>> list(String workflowId, int limit, int offset, PageCursor after,
            int maxExactTotal) {
        ListQuery query = new ListQuery("triggers").always("not deleted");
        if (workflowId != null) {
            query.where("spec->>'workflow_id' = ?", workflowId);
        }
        return query.page(pool, COLUMNS, limit, offset, after, maxExactTotal, TriggerReadModel::toRow);
    }

    /** Adds fires to a trigger's counters ({@code lastFiredAt} null when none of them started or delivered). */
    public Uni<Void> count(String id, long fired, long ignored, long failed, Instant lastFiredAt) {
        if (fired == 0 && ignored == 0 && failed == 0) {
            return Uni.createFrom().voidItem();
        }
        return pool.preparedQuery("update triggers set fired = fired + $2, ignored = ignored + $3, failed = failed"
                        + " + $4, last_fired_at = greatest(last_fired_at, $5) where id = $1")
                .execute(Tuple.of(UUID.fromString(id), fired, ignored, failed, utc(lastFiredAt)))
                .replaceWithVoid();
    }

    private static TriggerRow toRow(Row r) {
        OffsetDateTime last = r.getOffsetDateTime(10);
        return new TriggerRow(r.getUUID(1).toString(), parse(r.getString(2)), r.getBoolean(3), r.getBoolean(4),
                r.getInteger(5), r.getOffsetDateTime(0).toInstant(), r.getOffsetDateTime(6).toInstant(),
                new Stats(r.getLong(7), r.getLong(8), r.getLong(9), last == null ? null : last.toInstant()),
                r.getBoolean(11));
    }

    private static OffsetDateTime utc(Instant at) {
        return at == null ? null : at.atOffset(ZoneOffset.UTC);
    }

    private static JsonNode parse(String json) {
        try {
            return EventCodec.json().readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException("Could not parse a stored trigger spec", e);
        }
    }
}
