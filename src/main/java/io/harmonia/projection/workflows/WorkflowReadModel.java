package io.harmonia.projection.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

/** The workflows read model: "which workflows exist, at which version, and what do they say?" */
@ApplicationScoped
public class WorkflowReadModel {

    /** One workflow as listed. */
    public record WorkflowRow(String id, int version, boolean deleted, JsonNode definition, Instant createdAt,
            Instant updatedAt) {}

    /** One version of a workflow, without its definition: when it was defined, and its name and description. */
    public record VersionSummary(int version, String name, String description, Instant definedAt) {}

    /** One version of a workflow: its definition as written and when it was defined. */
    public record VersionRow(int version, JsonNode definition, Instant definedAt) {}

    private final Pool pool;

    public WorkflowReadModel(Pool pool) {
        this.pool = pool;
    }

    /** Records a defined version: the current row and the version history. */
    public Uni<Void> defined(SqlClient tx, String id, int version, ObjectNode definition, Instant at) {
        String json = definition.toString();
        return tx.preparedQuery("insert into workflow_versions (workflow_id, version, definition, created_at, name,"
                        + " description) values ($1, $2, $3::text::json, $4, $5, $6)")
                .execute(Tuple.of(UUID.fromString(id), version, json, at.atOffset(ZoneOffset.UTC),
                        definition.path("name").asText(), definition.path("description").textValue()))
                .chain(() -> tx.preparedQuery("insert into workflows (id, name, description, version, definition,"
                                + " created_at, updated_at) values ($1, $2, $3, $4, $5::text::json, $6, $6)"
                                + " on conflict (id) do update set name = excluded.name, description ="
                                + " excluded.description, version = excluded.version, definition = excluded.definition,"
                                + " updated_at = excluded.updated_at")
                        .execute(Tuple.tuple(List.of(UUID.fromString(id), definition.path("name").asText(),
                                definition.path("description").asText(""), version, json,
                                at.atOffset(ZoneOffset.UTC)))))
                .replaceWithVoid();
    }

    public Uni<Void> deleted(SqlClient tx, String id, Instant at) {
        return tx.preparedQuery("update workflows set deleted = true, updated_at = $2 where id = $1")
                .execute(Tuple.of(UUID.fromString(id), at.atOffset(ZoneOffset.UTC))).replaceWithVoid();
    }

    public Uni<Optional<WorkflowRow>> current(String id) {
        return pool.preparedQuery("select id, version, deleted, definition::text, created_at, updated_at"
                        + " from workflows where id = $1")
                .execute(Tuple.of(UUID.fromString(id)))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(toRow(rows.iterator().next())));
    }

    /** The latest version of a workflow that is not deleted, without reading its definition. */
    public Uni<Optional<Integer>> latestVersion(String id) {
        return pool.preparedQuery("select version from workflows where id = $1 and not deleted")
                .execute(Tuple.of(UUID.fromString(id)))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getInteger(0)));
    }

    public Uni<Optional<JsonNode>> version(String id, int version) {
        return pool.preparedQuery("select definition::text from workflow_versions where workflow_id = $1 and version = $2")
                .execute(Tuple.of(UUID.fromString(id), version))
                .map(rows -> rows.size() == 0 ? Optional.empty()
                        : Optional.of(parse(rows.iterator().next().getString(0))));
    }

    /** One version with the time it was defined, deleted or not. */
    public Uni<Optional<VersionRow>> versionRow(String id, int version) {
        return pool.preparedQuery("select definition::text, created_at from workflow_versions where workflow_id = $1"
                        + " and version = $2")
                .execute(Tuple.of(UUID.fromString(id), version))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.empty();
                    }
                    Row r = rows.iterator().next();
                    return Optional.of(new VersionRow(version, parse(r.getString(0)), r.getOffsetDateTime(1).toInstant()));
                });
    }

    /** Up to {@code limit} versions after {@code afterVersion}, oldest first, without their definitions. */
    public Uni<List<VersionSummary>> versions(String id, int afterVersion, int limit) {
        return pool.preparedQuery("select version, name, description, created_at"
                        + " from workflow_versions where workflow_id = $1 and version > $2 order by version limit $3")
                .execute(Tuple.of(UUID.fromString(id), afterVersion, limit))
                .map(rows -> {
                    List<VersionSummary> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new VersionSummary(r.getInteger(0), r.getString(1), r.getString(2),
                                r.getOffsetDateTime(3).toInstant()));
                    }
                    return out;
                });
    }

    /** A page of workflows that are not deleted, newest first, whose name contains {@code nameFilter} (if any). */
    public Uni<ListQuery.Page<WorkflowRow>> list(String nameFilter, int limit, int offset, PageCursor after,
            int maxExactTotal) {
        ListQuery query = new ListQuery("workflows").always("not deleted");
        if (nameFilter != null) {
            query.where("lower(name) like ?",
                    "%" + nameFilter.toLowerCase().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
        }
        return query.page(pool, "created_at, id, version, deleted, definition::text, updated_at", limit, offset,
                after, maxExactTotal, r -> new WorkflowRow(r.getUUID(1).toString(), r.getInteger(2), r.getBoolean(3),
                        parse(r.getString(4)), r.getOffsetDateTime(0).toInstant(), r.getOffsetDateTime(5).toInstant()));
    }

    private static WorkflowRow toRow(Row r) {
        return new WorkflowRow(r.getUUID(0).toString(), r.getInteger(1), r.getBoolean(2), parse(r.getString(3)),
                r.getOffsetDateTime(4).toInstant(), r.getOffsetDateTime(5).toInstant());
    }

    private static JsonNode parse(String json) {
        try {
            return EventCodec.json().readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException("Could not parse a stored workflow definition", e);
        }
    }
}
