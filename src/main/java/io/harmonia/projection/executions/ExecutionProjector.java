package io.harmonia.projection.executions;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.projection.workflows.WorkflowDefinitions;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Folds an execution's events into its view again, from its latest checkpoint (see {@link ExecutionLoader}). */
@ApplicationScoped
public class ExecutionProjector {

    private final ExecutionLoader loader;
    private final WorkflowDefinitions workflows;

    public ExecutionProjector(ExecutionLoader loader, WorkflowDefinitions workflows) {
        this.loader = loader;
        this.workflows = workflows;
    }

    /** The view of an execution as its events alone say it is: from its latest checkpoint, then the events after it. */
    public Uni<JsonNode> rebuild(String executionId) {
        return loader.load(executionId, ExecutionLoader.LATEST)
                .chain(state -> workflows.definition(state.workflowId(), state.workflowVersion())
                        .map(wf -> ExecutionView.of(state, wf)));
    }
}
