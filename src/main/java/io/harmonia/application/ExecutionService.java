package io.harmonia.application;

import io.harmonia.runtime.ExecutionEngine;
import io.harmonia.runtime.TimeOrderedIds;
import io.harmonia.domain.definition.InvalidRequest;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.ExecutionNotFound;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.domain.definition.Problem;
import io.harmonia.domain.execution.ExecutionCommand;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.projection.ListQuery;
import io.harmonia.projection.PageCursor;
import io.harmonia.projection.executions.ExecutionReadModel;
import io.harmonia.config.ApiConfig;
import io.harmonia.eventstore.IdempotencyKeys;
import io.harmonia.eventstore.PgEventStore;
import io.harmonia.eventstore.RecordedEvent;
import io.harmonia.eventstore.StreamIds;
import io.harmonia.schema.JsonSchemas;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/** What the executions API asks of the engine: start (validated, idempotent), commands, and reads. */
@ApplicationScoped
public class ExecutionService {

    /** A started execution (at least execution_id, workflow_id, workflow_version, status); {@code replayed} when an idempotency key returned an earlier start. */
    public record Started(JsonNode view, boolean replayed) {}

    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED).build();

    private final ExecutionEngine engine;
    private final WorkflowService workflows;
    private final ExecutionReadModel readModel;
    private final JsonSchemas schemas;
    private final IdempotencyKeys keys;
    private final PgEventStore store;
    private final TimeOrderedIds ids;
    private final ApiConfig api;
    private final Clock clock;

    public ExecutionService(ExecutionEngine engine, WorkflowService workflows, ExecutionReadModel readModel,
            JsonSchemas schemas, IdempotencyKeys keys, TimeOrderedIds ids, ApiConfig api, Clock clock,
            PgEventStore store) {
        this.store = store;
        this.ids = ids;
        this.engine = engine;
        this.workflows = workflows;
        this.readModel = readModel;
        this.schemas = schemas;
        this.keys = keys;
        this.api = api;
        this.clock = clock;
    }

    /**
     * Starts an execution. With an idempotency key, a start of the same request (workflow, version and input) within
     * {@link ApiConfig#idempotencyKeyTtl()} returns the earlier execution, replayed; the key with another request
     * is refused (422).
     */
    public Uni<Started> start(String workflowId, Integer version, JsonNode input, String idempotencyKey) {
        if (idempotencyKey == null) {
            return startNew(workflowId, version, input, null, null);
        }
        String hash = requestHash(workflowId, version, input);
        return earlierStart(idempotencyKey, hash).chain(earlier -> earlier.isPresent()
                ? Uni.createFrom().item(earlier.get())
                : startNew(workflowId, version, input, idempotencyKey, hash)
                        .onFailure(ExecutionService::duplicateKey)
                        .recoverWithUni(e -> earlierStart(idempotencyKey, hash).map(Optional::orElseThrow)));
    }

    private Uni<Started> startNew(String workflowId, Integer version, JsonNode input, String idempotencyKey,
            String hash) {
        return workflows.definition(workflowId, version).chain(wf -> {
            checkInput(wf, input);
            String executionId = engine.newExecutionId();
            Instant now = clock.instant();
            return engine.start(executionId, wf, input, idempotencyKey == null ? null
                            : tx -> keys.claim(tx, idempotencyKey, executionId, hash, now, expiredBefore()))
                    .map(s -> new Started(summary(s), false));
        });
    }

    /**
     * Starts an execution with an id chosen by its cause (see {@link ChosenIds}: a schedule's fire time, a trigger's
     * record), at most once: when an execution with that id exists already, it is returned ({@code replayed}) and
     * nothing starts. The input is checked as for {@link #start}.
     */
    public Uni<Started> startAs(String executionId, String workflowId, Integer version, JsonNode input) {
        return workflows.definition(workflowId, version).chain(wf -> {
            checkInput(wf, input);
            // with something to run in the append's transaction, a stream that exists fails the start with a
            // ConcurrencyConflict at once (no catching up and deciding again, which would refuse it as a Start of an
            // existing execution): held in memory or not, running or long finished, it is the same execution
            return engine.start(executionId, wf, input, tx -> Uni.createFrom().voidItem())
                    .map(s -> new Started(summary(s), false))
                    .onFailure(io.harmonia.eventstore.ConcurrencyConflict.class)
                    .recoverWithUni(taken -> view(executionId).map(v -> new Started(v, true)));
        });
    }

    /**
     * The checks every new execution's input passes (a start, a replay): no credentials in URLs, and the workflow
     * version's input schema. Throws {@link InvalidRequest} (422) naming each problem under {@code /input}.
     */
    public void checkInput(WorkflowDefinition wf, JsonNode input) {
        List<Problem> problems = new java.util.ArrayList<>(UrlCredentials.check(input, "/input"));
        if (wf.inputSchema() != null) {
            schemas.validate(wf.inputSchema(), input).stream()
                    .map(p -> new Problem("/input" + p.pointer(), p.message())).forEach(problems::add);
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequest("The execution input does not match the input schema of workflow '" + wf.id()
                    + "' version " + wf.version(), problems);
        }
    }

    private Instant expiredBefore() {
        return clock.instant().minus(api.idempotencyKeyTtl());
    }

    /** SHA-256 of the request's canonical JSON (object keys sorted), so that key order does not matter. */
    static String requestHash(String workflowId, Integer version, JsonNode input) {
        ObjectNode request = JsonNodeFactory.instance.objectNode();
        request.put("workflow_id", workflowId.toLowerCase(java.util.Locale.ROOT));
        request.put("version", version);
        request.set("input", input);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(CANONICAL.writeValueAsBytes(request));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException | JsonProcessingException e) {
            throw new IllegalStateException("cannot hash a start request", e);
        }
    }

    /** What a start answers: execution_id, workflow_id, workflow_version, status. */
    public static JsonNode summary(ExecutionState s) {
        return JsonNodeFactory.instance.objectNode()
                .put("execution_id", s.executionId()).put("workflow_id", s.workflowId())
                .put("workflow_version", s.workflowVersion()).put("status", s.status().name());
    }

    private Uni<Optional<Started>> earlierStart(String key, String hash) {
        return keys.find(key, expiredBefore()).chain(stored -> {
            if (stored.isEmpty()) {
                return Uni.createFrom().item(Optional.<Started>empty());
            }
            IdempotencyKeys.Stored earlier = stored.get();
            if (earlier.requestHash() != null && !earlier.requestHash().equals(hash)) {
                return Uni.createFrom().failure(new InvalidRequest("The Idempotency-Key was used for another request",
                        List.of(new Problem("/headers/Idempotency-Key", "the Idempotency-Key '" + key
                                + "' was used for a different request (execution " + earlier.executionId()
                                + ") within the last " + api.idempotencyKeyTtl().toString().substring(2).toLowerCase()
                                + "; the same key must come with the same workflow_id, version and input,"
                                + " or use a new key"))));
            }
            return view(earlier.executionId()).map(v -> Optional.of(new Started(v, true)));
        });
    }

    private static boolean duplicateKey(Throwable t) {
        return t instanceof PgException pg && "23505".equals(pg.getSqlState())
                && String.valueOf(pg.getMessage()).contains("idempotency_keys");
    }

    public Uni<JsonNode> view(String executionId) {
        return validId(executionId).chain(() -> readModel.view(executionId))
                .map(v -> v.orElseThrow(() -> new ExecutionNotFound(executionId)));
    }

    public Uni<ListQuery.Page<JsonNode>> list(String status, String workflowId, int limit, int offset,
            PageCursor after, int maxExactTotal) {
        return readModel.list(status, workflowId, limit, offset, after, maxExactTotal);
    }

    /** {@link #list} also filtered by parent execution (its sub-workflows) when {@code parentId} is not null. */
    public Uni<ListQuery.Page<JsonNode>> list(String status, String workflowId, String parentId, int limit,
            int offset, PageCursor after, int maxExactTotal) {
        return readModel.list(status, workflowId, parentId, limit, offset, after, maxExactTotal);
    }

    public Uni<ExecutionState> pause(String executionId) {
        return validId(executionId).chain(() -> engine.command(executionId,
                now -> new ExecutionCommand.Pause("paused by request", now)));
    }

    public Uni<ExecutionState> resume(String executionId) {
        return validId(executionId).chain(() -> engine.command(executionId, ExecutionCommand.Resume::new));
    }

    public Uni<ExecutionState> cancel(String executionId, String reason) {
        return validId(executionId).chain(() -> engine.command(executionId,
                now -> new ExecutionCommand.Cancel(reason, now)));
    }

    /** An execution's events from {@code fromVersion} (from 1), at most {@code limit}; 404 for an unknown one. */
    public Uni<List<RecordedEvent>> events(String executionId, int fromVersion, int limit) {
        return view(executionId).chain(v -> store.readStream(StreamIds.execution(executionId), fromVersion, limit));
    }

    /**
     * Records the result of an attempt reported from outside (a Kafka worker), on whatever replica it arrived; waits
     * through a database outage. True when it changed the execution, false when it was late or a duplicate.
     */
    public Uni<Boolean> recordTaskResult(String executionId, Function<Instant, ExecutionCommand> result) {
        return validId(executionId).chain(() -> engine.record(executionId, result))
                .map(decided -> !decided.events().isEmpty());
    }

    static Uni<Void> validId(String id) {
        try {
            UUID.fromString(id);
            return Uni.createFrom().voidItem();
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(new ExecutionNotFound(id));
        }
    }
}
