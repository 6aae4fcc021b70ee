package io.harmonia.application;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.domain.execution.ExecutionNotFound;
import io.harmonia.projection.executions.ExecutionLoader;
import io.harmonia.projection.executions.ItemsView;
import io.harmonia.projection.workflows.WorkflowDefinitions;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;

/** The items of a for_each task, a page at a time, from the execution's latest state. */
@ApplicationScoped
public class ItemsService {

    private final ExecutionLoader loader;
    private final WorkflowDefinitions definitions;

    public ItemsService(ExecutionLoader loader, WorkflowDefinitions definitions) {
        this.loader = loader;
        this.definitions = definitions;
    }

    /** 404 for an unknown execution, 422 for a task that is not a for_each of its workflow. */
    public Uni<JsonNode> items(String executionId, String taskId, int limit, int offset) {
        return ExecutionService.validId(executionId).chain(() -> loader.load(executionId, ExecutionLoader.LATEST))
                .chain(state -> {
                    if (!state.exists()) {
                        return Uni.createFrom().failure(new ExecutionNotFound(executionId));
                    }
                    return definitions.definition(state.workflowId(), state.workflowVersion())
                            // the state of a large fan-out was folded from thousands of events: render off the loop
                            .emitOn(Infrastructure.getDefaultWorkerPool())
                            .map(wf -> (JsonNode) ItemsView.of(state, wf, taskId, limit, offset));
                });
    }
}
