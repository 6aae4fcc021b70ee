package io.harmonia.eventstore;

import java.time.Duration;

/** Postgres cannot be reached, so the request was not carried out; the caller may retry after {@link #retryAfter}. */
public final class StoreUnavailable extends RuntimeException {
    private final transient Duration retryAfter;

    public StoreUnavailable(String what, String cause, Duration retryAfter) {
        super("Expected to " + what + ", but the database cannot be reached (" + cause + "); nothing was changed,"
                + " retry after " + retryAfter.toSeconds() + " s", null, false, false);
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
