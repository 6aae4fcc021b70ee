package io.harmonia.projection.executions;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.domain.execution.ExecutionEvent;
import io.harmonia.domain.execution.ExecutionEvolver;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.projection.workflows.WorkflowDefinitions;
import io.harmonia.eventstore.PgEventStore;
import io.harmonia.eventstore.StreamIds;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Folds an execution's events into its view again, from scratch: a Mutiny pipeline over the event stream. */
@ApplicationScoped
public class ExecutionProjector {

    private final PgEventStore store;
    private final WorkflowDefinitions workflows;

    public ExecutionProjector(PgEventStore store, WorkflowDefinitions workflows) {
        this.store = store;
        this.workflows = workflows;
    }

    /** The view of an execution as its events alone say it is. */
    public Uni<JsonNode> rebuild(String executionId) {
        return store.streamAll(StreamIds.execution(executionId))
                .map(r -> (ExecutionEvent) r.event())
                .onItem().scan(ExecutionState::initial, ExecutionEvolver::evolve)
                .collect().last()
                .chain(state -> workflows.definition(state.workflowId(), state.workflowVersion())
                        .map(wf -> ExecutionView.of(state, wf)));
    }
}
