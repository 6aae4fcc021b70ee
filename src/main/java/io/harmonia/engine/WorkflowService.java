package io.harmonia.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.config.ApiConfig;
import io.harmonia.domain.definition.DefinitionJson;
import io.harmonia.domain.definition.DefinitionValidator;
import io.harmonia.domain.definition.Problem;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.workflow.WorkflowEvent.WorkflowDefined;
import io.harmonia.domain.workflow.WorkflowEvent.WorkflowDeleted;
import io.harmonia.eventstore.PgEventStore;
import io.harmonia.eventstore.StreamIds;
import io.harmonia.projection.ListQuery;
import io.harmonia.projection.PageCursor;
import io.harmonia.projection.workflows.WorkflowReadModel;
import io.harmonia.projection.workflows.WorkflowReadModel.WorkflowRow;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Workflow definitions: validate, then append WorkflowDefined/WorkflowDeleted to the workflow's stream and update
 * the read model in the same transaction. Versions are immutable, so they are cached once read.
 */
@ApplicationScoped
public class WorkflowService {

    private final Pool pool;
    private final PgEventStore store;
    private final WorkflowReadModel readModel;
    private final DefinitionValidator validator;
    private final Clock clock;
    private final Map<String, WorkflowDefinition> versions = new ConcurrentHashMap<>();
    @Inject
    ApiConfig api;

    public WorkflowService(Pool pool, PgEventStore store, WorkflowReadModel readModel, DefinitionValidator validator,
            Clock clock) {
        this.pool = pool;
        this.store = store;
        this.readModel = readModel;
        this.validator = validator;
        this.clock = clock;
    }

    public Uni<WorkflowDefinition> create(JsonNode body) {
        WorkflowDefinition parsed = storableOrThrow(body);
        String id = UUID.randomUUID().toString();
        return define(parsed.withIdAndVersion(id, 1), 0);
    }

    public Uni<WorkflowDefinition> update(String id, JsonNode body) {
        WorkflowDefinition parsed = storableOrThrow(body);
        return existing(id).chain(row -> define(parsed.withIdAndVersion(id, row.version() + 1), row.version()));
    }

    public Uni<Void> delete(String id) {
        Instant now = clock.instant();
        return existing(id).chain(row -> pool.withTransaction(tx ->
                store.append(tx, StreamIds.workflow(id), row.version() + 1L, List.of(new WorkflowDeleted(id, now)))
                        .chain(() -> readModel.deleted(tx, id, now))));
    }

    /** The current row of a workflow that exists and is not deleted. */
    public Uni<WorkflowRow> existing(String id) {
        return parseId(id).chain(() -> readModel.current(id))
                .map(row -> row.filter(r -> !r.deleted()).orElseThrow(() -> new WorkflowNotFound(id, null)));
    }

    /** A version of a workflow (the latest when {@code version} is null), deleted or not for explicit versions. */
    public Uni<WorkflowDefinition> definition(String id, Integer version) {
        if (version == null) {
            return parseId(id).chain(() -> readModel.latestVersion(id))
                    .chain(v -> definition(id, v.orElseThrow(() -> new WorkflowNotFound(id, null))));
        }
        WorkflowDefinition cached = versions.get(id + "@" + version);
        if (cached != null) {
            return Uni.createFrom().item(cached);
        }
        return parseId(id).chain(() -> readModel.version(id, version)).map(json -> {
            JsonNode body = json.orElseThrow(() -> new WorkflowNotFound(id, version));
            WorkflowDefinition def = validOrThrow(body).withIdAndVersion(id, version);
            versions.put(id + "@" + version, def);
            return def;
        });
    }

    public Uni<ListQuery.Page<WorkflowRow>> list(String nameFilter, int limit, int offset, PageCursor after,
            int maxExactTotal) {
        return readModel.list(nameFilter, limit, offset, after, maxExactTotal);
    }

    private Uni<WorkflowDefinition> define(WorkflowDefinition def, int expectedVersion) {
        Instant now = clock.instant();
        ObjectNode json = DefinitionJson.toJson(def);
        // the stream holds one event per version plus a possible deletion; versions are the stream versions here
        return pool.withTransaction(tx -> store.append(tx, StreamIds.workflow(def.id()), expectedVersion,
                        List.of(new WorkflowDefined(def.id(), def.version(), json, now)))
                        .chain(() -> readModel.defined(tx, def.id(), def.version(), json, now)))
                .invoke(() -> versions.put(def.id() + "@" + def.version(), def))
                .replaceWith(def);
    }

    /** A new definition: valid, and storable (no NUL characters, a name within the limit). */
    private WorkflowDefinition storableOrThrow(JsonNode body) {
        List<Problem> problems = new ArrayList<>(StorableText.check(body, api.maxNameLength()));
        DefinitionValidator.Result result = validator.validate(body);
        if (!problems.isEmpty() || !result.valid()) {
            problems.addAll(result.problems());
            throw new InvalidRequest("The workflow definition is invalid", problems);
        }
        return result.definition();
    }

    private WorkflowDefinition validOrThrow(JsonNode body) {
        DefinitionValidator.Result result = validator.validate(body);
        if (!result.valid()) {
            throw new InvalidRequest("The workflow definition is invalid", result.problems());
        }
        return result.definition();
    }

    private static Uni<Void> parseId(String id) {
        try {
            UUID.fromString(id);
            return Uni.createFrom().voidItem();
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(new WorkflowNotFound(id, null));
        }
    }
}
