package io.harmonia.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.domain.definition.Problem;
import io.harmonia.domain.execution.ExecutionCommand;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.projection.executions.ExecutionReadModel;
import io.harmonia.schema.JsonSchemas;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** What the executions API asks of the engine: start (validated, idempotent), commands, and reads. */
@ApplicationScoped
public class ExecutionService {

    /** A started execution (at least execution_id, workflow_id, workflow_version, status); {@code replayed} when an idempotency key returned an earlier start. */
    public record Started(JsonNode view, boolean replayed) {}

    private final ExecutionEngine engine;
    private final WorkflowService workflows;
    private final ExecutionReadModel readModel;
    private final JsonSchemas schemas;
    private final Pool pool;
    private final TimeOrderedIds ids;

    public ExecutionService(ExecutionEngine engine, WorkflowService workflows, ExecutionReadModel readModel,
            JsonSchemas schemas, Pool pool, TimeOrderedIds ids) {
        this.ids = ids;
        this.engine = engine;
        this.workflows = workflows;
        this.readModel = readModel;
        this.schemas = schemas;
        this.pool = pool;
    }

    public Uni<Started> start(String workflowId, Integer version, JsonNode input, String idempotencyKey) {
        if (idempotencyKey == null) {
            return startNew(workflowId, version, input, null);
        }
        return earlierStart(idempotencyKey).chain(earlier -> earlier.isPresent()
                ? Uni.createFrom().item(earlier.get())
                : startNew(workflowId, version, input, idempotencyKey)
                        .onFailure(ExecutionService::duplicateKey)
                        .recoverWithUni(e -> earlierStart(idempotencyKey).map(Optional::orElseThrow)));
    }

    private Uni<Started> startNew(String workflowId, Integer version, JsonNode input, String idempotencyKey) {
        return workflows.definition(workflowId, version).chain(wf -> {
            List<Problem> problems = wf.inputSchema() == null ? List.of()
                    : schemas.validate(wf.inputSchema(), input).stream()
                            .map(p -> new Problem("/input" + p.pointer(), p.message())).toList();
            if (!problems.isEmpty()) {
                return Uni.createFrom().failure(new InvalidRequest("The execution input does not match the input"
                        + " schema of workflow '" + workflowId + "' version " + wf.version(), problems));
            }
            String executionId = ids.next().toString();
            return engine.start(executionId, wf, input, idempotencyKey == null ? null
                            : tx -> tx.preparedQuery("insert into idempotency_keys (key, execution_id) values ($1, $2)")
                                    .execute(Tuple.of(idempotencyKey, UUID.fromString(executionId))).replaceWithVoid())
                    .map(s -> new Started(summary(s), false));
        });
    }

    private static JsonNode summary(ExecutionState s) {
        return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                .put("execution_id", s.executionId()).put("workflow_id", s.workflowId())
                .put("workflow_version", s.workflowVersion()).put("status", s.status().name());
    }

    private Uni<Optional<Started>> earlierStart(String key) {
        return pool.preparedQuery("select execution_id from idempotency_keys where key = $1").execute(Tuple.of(key))
                .chain(rows -> rows.size() == 0 ? Uni.createFrom().item(Optional.<Started>empty())
                        : view(rows.iterator().next().getUUID(0).toString())
                                .map(v -> Optional.of(new Started(v, true))));
    }

    private static boolean duplicateKey(Throwable t) {
        return t instanceof PgException pg && "23505".equals(pg.getSqlState())
                && String.valueOf(pg.getMessage()).contains("idempotency_keys");
    }

    public Uni<JsonNode> view(String executionId) {
        return validId(executionId).chain(() -> readModel.view(executionId))
                .map(v -> v.orElseThrow(() -> new ExecutionNotFound(executionId)));
    }

    public Uni<ExecutionReadModel.Page> list(String status, String workflowId, int limit, int offset) {
        return readModel.list(status, workflowId, limit, offset);
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

    static Uni<Void> validId(String id) {
        try {
            UUID.fromString(id);
            return Uni.createFrom().voidItem();
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(new ExecutionNotFound(id));
        }
    }
}
