package io.harmonia.projection.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.domain.definition.DefinitionValidator;
import io.harmonia.domain.definition.InvalidRequest;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.workflow.WorkflowNotFound;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Workflow definitions as the runtime and the projections need them: a version read from the read model, checked
 * again and cached (versions are immutable). Parsing runs off the event loop (a definition may hold 10,000 tasks).
 */
@ApplicationScoped
public class WorkflowDefinitions {
    private final WorkflowReadModel readModel;
    private final DefinitionValidator validator;
    private final Map<String, WorkflowDefinition> versions = new ConcurrentHashMap<>();

    public WorkflowDefinitions(WorkflowReadModel readModel, DefinitionValidator validator) {
        this.readModel = readModel;
        this.validator = validator;
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
        return parseId(id).chain(() -> readModel.version(id, version)).chain(json -> offEventLoop(() -> {
            JsonNode body = json.orElseThrow(() -> new WorkflowNotFound(id, version));
            DefinitionValidator.Result stored = validator.reread(body);
            if (!stored.valid()) {
                throw new InvalidRequest("Version " + version + " of workflow " + id + " is no longer valid",
                        stored.problems());
            }
            WorkflowDefinition def = stored.definition().withIdAndVersion(id, version);
            versions.put(id + "@" + version, def);
            return def;
        }));
    }

    /** A version just defined here: cached at once, so starting it does not read it back. */
    public void remember(WorkflowDefinition def) {
        versions.put(def.id() + "@" + def.version(), def);
    }

    private static <T> Uni<T> offEventLoop(Supplier<T> work) {
        Context caller = Vertx.currentContext();
        Uni<T> done = Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        return caller == null ? done : done.emitOn(task -> caller.runOnContext(ignored -> task.run()));
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
