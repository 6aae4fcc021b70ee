package io.harmonia.eventstore;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Cursor updates of feed followers (the Kafka relay, webhook subscriptions) are committed without waiting for the
 * WAL flush. A cursor only ever moves past events already handed on, so losing its last update in a Postgres crash
 * moves it back: those events are handed on again (at-least-once, as documented), never skipped. Waiting for the
 * flush cost one fsync per relay round, as many as the appends themselves at low load, each one waiting behind (or
 * holding up) the appends' own flushes.
 */
public final class CursorWrites {

    private CursorWrites() {}

    /**
     * Runs one cursor UPDATE, committed without waiting for the WAL flush. {@code sql} must end with its WHERE
     * clause: a {@code set_config('synchronous_commit', 'off', true)} is added to it, local to the statement's own
     * transaction, so the pooled connection stays synchronous for the appends that use it next
     * ({@code CursorWritesTest}).
     */
    public static Uni<Integer> update(Pool pool, String sql, Tuple args) {
        return pool.preparedQuery(sql + " and set_config('synchronous_commit', 'off', true) is not null")
                .execute(args).map(rows -> rows.rowCount());
    }
}
