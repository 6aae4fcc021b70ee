package io.harmonia.eventstore;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.io.IOException;
import java.util.concurrent.TimeoutException;

/** Tells a failure that means "Postgres cannot be reached" from one that is about the statement or the data. */
public final class StoreFailures {
    private StoreFailures() {}

    /**
     * Whether {@code failure} (or one of its causes) says the database cannot be reached: the connection was
     * refused, reset, closed or timed out, the pool could not hand out a connection, or the server says it is
     * shutting down, starting up or out of connections (SQLSTATE classes 08 and 57P, 53300).
     */
    public static boolean unreachable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof StoreUnavailable || t instanceof ClosedConnectionException || t instanceof IOException
                    || t instanceof TimeoutException || t instanceof io.netty.channel.ConnectTimeoutException) {
                return true;
            }
            if (t instanceof PgException pg && pg.getSqlState() != null) {
                String state = pg.getSqlState();
                return state.startsWith("08") || state.startsWith("57P") || "53300".equals(state);
            }
            String name = t.getClass().getName();
            String message = String.valueOf(t.getMessage());
            if (name.endsWith("NoStackTraceTimeoutException") || name.endsWith("ConnectTimeoutException")
                    || message.contains("Connection is closed") || message.contains("Pool closed")
                    || message.contains("Timeout waiting for connection")) {
                return true;
            }
        }
        return false;
    }

    /** A one-line description for logs and health details (no stack trace). */
    public static String describe(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? "" : ": " + root.getMessage();
        return root.getClass().getSimpleName() + message;
    }
}
