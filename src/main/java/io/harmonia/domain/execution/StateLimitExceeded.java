package io.harmonia.domain.execution;

/**
 * A state update from outside ({@code PUT}/{@code PATCH /api/state}) whose result would be larger than
 * {@link Limits#maxStateBytes()}: HTTP 413. The message names the execution, the size and the limit.
 */
public final class StateLimitExceeded extends RuntimeException {
    private final int size;
    private final int limit;

    public StateLimitExceeded(String executionId, int size, int limit) {
        super("Expected the state of execution '" + executionId + "' to stay within " + limit + " bytes"
                + " (harmonia.history.max-state-bytes), but after the update it would be " + size + " bytes");
        this.size = size;
        this.limit = limit;
    }

    public int size() {
        return size;
    }

    public int limit() {
        return limit;
    }
}
