package io.harmonia.application;

import io.harmonia.domain.definition.InvalidRequest;
import io.harmonia.domain.workflow.WorkflowNotFound;
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
import io.harmonia.projection.workflows.WorkflowDefinitions;
import io.harmonia.projection.workflows.WorkflowReadModel;
import io.harmonia.projection.workflows.WorkflowReadModel.WorkflowRow;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
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
import java.util.function.Supplier;

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
    private final WorkflowDefinitions definitions;
    @Inject
    ApiConfig api;

    public WorkflowService(Pool pool, PgEventStore store, WorkflowReadModel readModel, DefinitionValidator validator,
            WorkflowDefinitions definitions, Clock clock) {
        this.definitions = definitions;
        this.pool = pool;
        this.store = store;
        this.readModel = readModel;
        this.validator = validator;
        this.clock = clock;
    }

    /** Defines version 1 of a new workflow; the row returned holds the definition as written. */
    public Uni<WorkflowRow> create(JsonNode body) {
        String id = UUID.randomUUID().toString();
        return offEventLoop(() -> validOrThrow(body))
                .chain(parsed -> define(parsed.definition().withIdAndVersion(id, 1), parsed.written(), 0, null));
    }

    /** Defines the next version; a {@code workflow_id} (or {@code id}) in the body must be the workflow's own. */
    public Uni<WorkflowRow> update(String id, JsonNode body) {
        return offEventLoop(() -> validOrThrow(body)).chain(parsed -> update(id, body, parsed));
    }

    private Uni<WorkflowRow> update(String id, JsonNode body, DefinitionValidator.Result parsed) {
        for (String field : List.of("workflow_id", "id")) {
            JsonNode given = body.get(field);
            if (given != null && given.isTextual() && !given.asText().equalsIgnoreCase(id)) {
                throw new InvalidRequest("The workflow definition is invalid", List.of(new Problem("/" + field,
                        "expected the id of the workflow being updated ('" + id + "') or no " + field + ", found '"
                                + given.asText() + "'")));
            }
        }
        return existing(id).chain(row -> define(parsed.definition().withIdAndVersion(id, row.version() + 1),
                parsed.written(), row.version(), row.createdAt()));
    }

    /**
     * One version of a workflow that exists and is not deleted, as written, with {@code updatedAt} the time that
     * version was defined.
     *
     * @throws WorkflowNotFound naming the versions that exist when there is no such version
     */
    public Uni<WorkflowRow> existingVersion(String id, int version) {
        return existing(id).chain(current -> version == current.version() ? Uni.createFrom().item(current)
                : readModel.versionRow(id, version).map(v -> v.map(r -> new WorkflowRow(id, version, false,
                        r.definition(), current.createdAt(), r.definedAt()))
                        .orElseThrow(() -> new WorkflowNotFound(id, version, current.version()))));
    }

    /** Versions of a workflow that exists and is not deleted, oldest first, a page at a time. */
    public Uni<List<WorkflowReadModel.VersionSummary>> versions(String id, int afterVersion, int limit) {
        return existing(id).chain(() -> readModel.versions(id, afterVersion, limit));
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
        return definitions.definition(id, version);
    }

    public Uni<ListQuery.Page<WorkflowRow>> list(String nameFilter, int limit, int offset, PageCursor after,
            int maxExactTotal) {
        return readModel.list(nameFilter, limit, offset, after, maxExactTotal);
    }

    private Uni<WorkflowRow> define(WorkflowDefinition def, ObjectNode json, int expectedVersion, Instant createdAt) {
        Instant now = clock.instant();
        // the stream holds one event per version plus a possible deletion; versions are the stream versions here
        return pool.withTransaction(tx -> store.append(tx, StreamIds.workflow(def.id()), expectedVersion,
                        List.of(new WorkflowDefined(def.id(), def.version(), json, now)))
                        .chain(() -> readModel.defined(tx, def.id(), def.version(), json, now)))
                .invoke(() -> definitions.remember(def))
                .replaceWith(() -> new WorkflowRow(def.id(), def.version(), false, json,
                        createdAt == null ? now : createdAt, now));
    }

    /**
     * Runs {@code work} on a worker thread and gives its outcome back on the caller's Vert.x context: validating a
     * definition of thousands of tasks compiles thousands of expressions (about a second for 5,000), which must not
     * stall the event loop.
     */
    private static <T> Uni<T> offEventLoop(Supplier<T> work) {
        Context caller = Vertx.currentContext();
        Uni<T> done = Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        return caller == null ? done : done.emitOn(task -> caller.runOnContext(ignored -> task.run()));
    }

    private DefinitionValidator.Result validOrThrow(JsonNode body) {
        List<Problem> problems = new ArrayList<>(StorableText.check(body, api.maxNameLength()));
        problems.addAll(UrlCredentials.check(body, ""));
        DefinitionValidator.Result result = validator.validate(body);
        if (!problems.isEmpty() || !result.valid()) {
            problems.addAll(result.problems());
            throw new InvalidRequest("The workflow definition is invalid", problems);
        }
        return result;
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
