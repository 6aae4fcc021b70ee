package io.harmonia.domain.execution;

/** No checkpoint has this id. */
public final class CheckpointNotFound extends RuntimeException {
    public CheckpointNotFound(String checkpointId) {
        super("Expected a checkpoint with id '" + checkpointId + "', but none exists");
    }
}
