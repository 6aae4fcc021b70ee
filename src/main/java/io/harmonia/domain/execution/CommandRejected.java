package io.harmonia.domain.execution;

/** A command that makes no sense in the execution's current status. The message names the status found. */
public final class CommandRejected extends RuntimeException {
    private final ExecutionStatus status;

    public CommandRejected(String message, ExecutionStatus status) {
        super(message);
        this.status = status;
    }

    public ExecutionStatus status() {
        return status;
    }
}
