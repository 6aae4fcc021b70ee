package io.harmonia.domain.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** Changes to a workflow definition: its stream is {@code workflow-<id>}. */
public sealed interface WorkflowEvent {

    Instant at();

    /** A version of the definition (version 1 on creation, +1 on each update), in its canonical JSON form. */
    record WorkflowDefined(String workflowId, int version, JsonNode definition, Instant at) implements WorkflowEvent {}

    record WorkflowDeleted(String workflowId, Instant at) implements WorkflowEvent {}
}
