package io.harmonia.eventstore;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * A durable feed cursor kept in a row of {@code relay_cursor} (the Kafka relay's is named {@code kafka}), and how
 * far the feed has run ahead of it.
 */
public final class RelayCursor implements FeedCursor {

    /** Events after the cursor, the age of the oldest in seconds, and seconds since the cursor last moved. */
    public record Lag(long events, double seconds, double secondsSinceProgress) {}

    private static final String LOAD = "select tx_id::text, global_position from relay_cursor where name = $1";
    private static final String SAVE = "update relay_cursor set tx_id = $2::text::xid8, global_position = $3,"
            + " updated_at = now() where name = $1";
    private static final String LAG = "select count(*), coalesce(extract(epoch from now() - min(occurred_at)), 0),"
            + " (select extract(epoch from now() - updated_at) from relay_cursor where name = $1)"
            + " from (select e.occurred_at from events e, relay_cursor c where c.name = $1"
            + " and (e.tx_id, e.global_position) > (c.tx_id, c.global_position) limit 10000000) unpublished";

    private final Pool pool;
    private final String name;

    public RelayCursor(Pool pool, String name) {
        this.pool = pool;
        this.name = name;
    }

    @Override
    public Uni<FeedPosition> load() {
        return pool.preparedQuery(LOAD).execute(Tuple.of(name)).map(rows -> {
            if (rows.size() == 0) {
                throw new IllegalStateException("Expected a row named '" + name + "' in relay_cursor, found none");
            }
            Row r = rows.iterator().next();
            return new FeedPosition(r.getString(0), r.getLong(1));
        });
    }

    /** Saved without waiting for the WAL flush: see {@link CursorWrites}. */
    @Override
    public Uni<Void> save(FeedPosition position) {
        return CursorWrites.update(pool, SAVE, Tuple.of(name, position.txId(), position.globalPosition()))
                .map(updated -> {
                    if (updated == 0) {
                        throw new IllegalStateException("Expected a row named '" + name
                                + "' in relay_cursor to move to " + position + ", found none");
                    }
                    return null;
                })
                .replaceWithVoid();
    }

    /** How far the feed has run ahead of this cursor (counting at most ten million events). */
    public Uni<Lag> lag() {
        return pool.preparedQuery(LAG).execute(Tuple.of(name)).map(rows -> {
            Row r = rows.iterator().next();
            return new Lag(r.getLong(0), r.getNumeric(1).doubleValue(),
                    r.getNumeric(2) == null ? 0 : r.getNumeric(2).doubleValue());
        });
    }
}
