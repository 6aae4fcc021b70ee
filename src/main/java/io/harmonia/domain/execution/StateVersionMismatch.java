package io.harmonia.domain.execution;

/** A state update that expected another state version (an {@code If-Match} that no longer holds): HTTP 412. */
public final class StateVersionMismatch extends RuntimeException {
    private final long expected;
    private final long found;

    public StateVersionMismatch(String executionId, long expected, long found) {
        super("Expected the state of execution '" + executionId + "' at version " + expected + ", but it is at "
                + found);
        this.expected = expected;
        this.found = found;
    }

    public long expected() {
        return expected;
    }

    public long found() {
        return found;
    }
}
