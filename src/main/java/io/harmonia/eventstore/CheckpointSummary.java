package io.harmonia.eventstore;

import java.time.Instant;

/**
 * A checkpoint as a list shows it, read from its CheckpointCreated event without shipping its snapshot: its id, the
 * sequence it covers, why it was taken, when, and the execution's workflow and status at that point.
 */
public record CheckpointSummary(String checkpointId, String executionId, long sequence, String reason,
        Instant createdAt, String workflowId, int workflowVersion, String workflowStatus) {}
