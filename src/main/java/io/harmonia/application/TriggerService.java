package io.harmonia.application;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.config.ApiConfig;
import io.harmonia.config.TriggerConfig;
import io.harmonia.domain.definition.InvalidRequest;
import io.harmonia.domain.definition.Problem;
import io.harmonia.domain.expression.ExpressionEngine;
import io.harmonia.domain.trigger.TriggerCommand;
import io.harmonia.domain.trigger.TriggerEvent;
import io.harmonia.domain.trigger.TriggerNotFound;
import io.harmonia.domain.trigger.TriggerRules;
import io.harmonia.domain.trigger.TriggerSpec;
import io.harmonia.domain.trigger.TriggerSpecReader;
import io.harmonia.domain.trigger.TriggerState;
import io.harmonia.domain.workflow.WorkflowNotFound;
import io.harmonia.eventstore.PgEventStore;
import io.harmonia.eventstore.RecordedEvent;
import io.harmonia.eventstore.StreamIds;
import io.harmonia.projection.ListQuery;
import io.harmonia.projection.PageCursor;
import io.harmonia.projection.triggers.TriggerReadModel;
import io.harmonia.projection.triggers.TriggerReadModel.TriggerRow;
import io.harmonia.projection.triggers.TriggerSecrets;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * Event triggers' lifecycle: validate, load the trigger's stream, decide ({@link TriggerRules}), append to
 * {@code trigger-<id>} and update the read model (and the HMAC key's own table) in the same transaction.
 */
@ApplicationScoped
public class TriggerService {

    /** Events read to load a trigger; a trigger has one per change. */
    private static final int MAX_EVENTS = 100_000;

    private final Pool pool;
    private final PgEventStore store;
    private final TriggerReadModel readModel;
    private final TriggerSecrets secrets;
    private final WorkflowService workflows;
    private final TriggerSpecReader reader;
    private final TriggerConfig config;
    private final Clock clock;

    public TriggerService(Pool pool, PgEventStore store, TriggerReadModel readModel, TriggerSecrets secrets,
            WorkflowService workflows, ExpressionEngine expressions, ApiConfig api, TriggerConfig config,
            Clock clock) {
        this.pool = pool;
        this.store = store;
        this.readModel = readModel;
        this.secrets = secrets;
        this.workflows = workflows;
        this.reader = new TriggerSpecReader(expressions, api.maxNameLength());
        this.config = config;
        this.clock = clock;
    }

    public Uni<TriggerRow> create(JsonNode body) {
        TriggerSpecReader.Result read = validOrThrow(body, false);
        String id = UUID.randomUUID().toString();
        return workflowExists(read.spec())
                .chain(() -> readModel.count())
                .chain(n -> {
                    if (n >= config.maxTriggers()) {
                        throw new InvalidRequest("The trigger is invalid", List.of(new Problem("",
                                "expected fewer than " + config.maxTriggers() + " triggers"
                                        + " (harmonia.triggers.max-triggers), found " + n + "; delete one first")));
                    }
                    return apply(id, TriggerState.initial(),
                            new TriggerCommand.Create(id, read.spec().toJson(), clock.instant()), read);
                });
    }

    /** Replaces a trigger's definition; a signed HTTP trigger keeps its key when the new body gives none. */
    public Uni<TriggerRow> update(String id, JsonNode body) {
        return load(id).chain(state -> {
            boolean hadSecret = isSigned(state.spec());
            TriggerSpecReader.Result read = validOrThrow(body, hadSecret);
            return workflowExists(read.spec()).chain(() -> apply(id, state,
                    new TriggerCommand.Update(read.spec().toJson(), clock.instant()), read));
        });
    }

    public Uni<TriggerRow> pause(String id) {
        return command(id, s -> new TriggerCommand.Pause(clock.instant()));
    }

    public Uni<TriggerRow> resume(String id) {
        return command(id, s -> new TriggerCommand.Resume(clock.instant()));
    }

    public Uni<Void> delete(String id) {
        return command(id, s -> new TriggerCommand.Delete(clock.instant())).replaceWithVoid();
    }

    public Uni<TriggerRow> get(String id) {
        return validId(id).chain(() -> readModel.get(id))
                .map(row -> row.orElseThrow(() -> new TriggerNotFound(id)));
    }

    public Uni<ListQuery.Page<TriggerRow>> list(String workflowId, int limit, int offset, PageCursor after,
            int maxExactTotal) {
        return readModel.list(workflowId, limit, offset, after, maxExactTotal);
    }

    /** A trigger's spec as read from its canonical JSON (checked when it was written). */
    public TriggerSpec spec(JsonNode canonical) {
        TriggerSpecReader.Result read = reader.read(canonical);
        if (!read.valid()) {
            throw new IllegalStateException("A stored trigger spec no longer reads: " + read.problems());
        }
        return read.spec();
    }

    private Uni<TriggerRow> command(String id, Function<TriggerState, TriggerCommand> command) {
        return load(id).chain(state -> apply(id, state, command.apply(state), null));
    }

    private Uni<TriggerRow> apply(String id, TriggerState state, TriggerCommand command,
            TriggerSpecReader.Result read) {
        List<TriggerEvent> events = TriggerRules.decide(command, state);
        if (events.isEmpty()) {
            return get(id);
        }
        TriggerState after = state;
        for (TriggerEvent e : events) {
            after = TriggerRules.evolve(after, e);
        }
        TriggerState next = after;
        String source = next.spec().path("source").has("kafka") ? "kafka" : "http";
        return pool.withTransaction(tx -> store.append(tx, StreamIds.trigger(id), state.version(), events)
                        .chain(() -> readModel.save(tx, next, source))
                        .chain(() -> secretChange(tx, id, next, read)))
                .chain(() -> get(id).onFailure(TriggerNotFound.class).recoverWithNull());
    }

    /** The key is set when one is given, erased when the trigger is deleted or no longer signed. */
    private Uni<Void> secretChange(io.vertx.mutiny.sqlclient.SqlClient tx, String id, TriggerState next,
            TriggerSpecReader.Result read) {
        if (next.deleted() || !isSigned(next.spec())) {
            return secrets.erase(tx, id);
        }
        if (read != null && read.secret() != null) {
            return secrets.put(tx, id, read.secret());
        }
        return Uni.createFrom().voidItem();
    }

    /** Loads a trigger from its stream; fails with TriggerNotFound when it does not exist or was deleted. */
    private Uni<TriggerState> load(String id) {
        return validId(id).chain(() -> store.readStream(StreamIds.trigger(id), 1, MAX_EVENTS)).map(recorded -> {
            List<TriggerEvent> events = new ArrayList<>(recorded.size());
            for (RecordedEvent r : recorded) {
                events.add((TriggerEvent) r.event());
            }
            TriggerState state = TriggerRules.replay(events);
            if (!state.exists()) {
                throw new TriggerNotFound(id);
            }
            return state;
        });
    }

    private Uni<Void> workflowExists(TriggerSpec spec) {
        Uni<?> check = spec.version() == null ? workflows.existing(spec.workflowId())
                : workflows.existingVersion(spec.workflowId(), spec.version());
        return check.onFailure(WorkflowNotFound.class).transform(e -> new InvalidRequest("The trigger is invalid",
                List.of(new Problem(spec.version() == null ? "/workflow_id" : "/version", e.getMessage()))))
                .replaceWithVoid();
    }

    private TriggerSpecReader.Result validOrThrow(JsonNode body, boolean secretKept) {
        TriggerSpecReader.Result read = reader.read(body);
        if (!read.valid()) {
            throw new InvalidRequest("The trigger is invalid", read.problems());
        }
        if (isSigned(read.spec().toJson()) && read.secret() == null && !secretKept) {
            throw new InvalidRequest("The trigger is invalid", List.of(new Problem("/source/http/signature/secret",
                    "expected the HMAC key (a string of 16 to 1024 characters) of a signed HTTP trigger, found"
                            + " none")));
        }
        return read;
    }

    private static boolean isSigned(JsonNode spec) {
        JsonNode sig = spec == null ? null : spec.path("source").path("http").get("signature");
        return sig != null && sig.isObject();
    }

    static Uni<Void> validId(String id) {
        try {
            UUID.fromString(id);
            return Uni.createFrom().voidItem();
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(new TriggerNotFound(id));
        }
    }
}
