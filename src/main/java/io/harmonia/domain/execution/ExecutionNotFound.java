package io.harmonia.domain.execution;

/** No execution has this id. */
public final class ExecutionNotFound extends RuntimeException {
    public ExecutionNotFound(String executionId) {
        super("Expected an execution with id '" + executionId + "', but none exists");
    }
}
