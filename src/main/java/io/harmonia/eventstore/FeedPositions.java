package io.harmonia.eventstore;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/** Places in the global feed: its tail, and the place of one stored event. */
@ApplicationScoped
public class FeedPositions {
    // every column is qualified: see PgEventStore (an unqualified tx_id in ORDER BY would order as text)
    private static final String TAIL = "select e.tx_id::text, e.global_position from events e"
            + " where e.tx_id < pg_snapshot_xmin(pg_current_snapshot())"
            + " order by e.tx_id desc, e.global_position desc limit 1";
    private static final String OF_EVENT = "select e.tx_id::text, e.global_position from events e"
            + " where e.stream_id = $1 and e.stream_version = $2";

    private final Pool pool;

    public FeedPositions(Pool pool) {
        this.pool = pool;
    }

    /**
     * The position of the last event a feed reader can be handed now ({@link FeedPosition#START} for an empty
     * store): a reader that starts there gets every event appended from now on.
     */
    public Uni<FeedPosition> tail() {
        return pool.query(TAIL).execute()
                .map(rows -> rows.size() == 0 ? FeedPosition.START : position(rows.iterator().next()));
    }

    /** The feed position of event {@code version} of stream {@code streamId}, empty when there is none. */
    public Uni<Optional<FeedPosition>> of(String streamId, int version) {
        return pool.preparedQuery(OF_EVENT).execute(Tuple.of(streamId, version))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(position(rows.iterator().next())));
    }

    private static FeedPosition position(Row r) {
        return new FeedPosition(r.getString(0), r.getLong(1));
    }
}
