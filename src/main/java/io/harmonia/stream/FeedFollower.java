package io.harmonia.stream;

import io.harmonia.eventstore.IdleWait;
import io.harmonia.config.StreamConfig;
import io.harmonia.eventstore.AppendSignal;
import io.harmonia.eventstore.FeedPosition;
import io.harmonia.eventstore.PgEventStore;
import io.harmonia.eventstore.RecordedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * Feeds live streams from the event store's global feed, so that every replica streams every execution, whichever
 * replica runs it. Starts at the tail of the feed (live streams keep no durable cursor: a subscriber resumes from its
 * own last event, read from the store), polls every {@code harmonia.streams.poll-interval} and is woken at once by
 * local appends. Builds each event's message once and hands it to the {@link StreamHub}.
 */
@ApplicationScoped
public class FeedFollower {
    private static final Logger LOG = Logger.getLogger(FeedFollower.class);
    private static final String TAIL = "select e.tx_id::text, e.global_position from events e"
            + " where e.tx_id < pg_snapshot_xmin(pg_current_snapshot())"
            + " order by e.tx_id desc, e.global_position desc limit 1"; // qualified: see PgEventStore

    private final Pool pool;
    private final PgEventStore store;
    private final AppendSignal appends;
    private final StreamHub hub;
    private final StreamConfig config;
    private final Vertx vertx;
    private final ExecutionTracker tracker;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();

    private volatile boolean stopped;
    private FeedPosition cursor;
    private final IdleWait idleWait;
    private boolean failing;

    public FeedFollower(Pool pool, PgEventStore store, AppendSignal appends, StreamHub hub, StreamConfig config,
            Vertx vertx) {
        this.pool = pool;
        this.store = store;
        this.appends = appends;
        this.hub = hub;
        this.config = config;
        this.vertx = vertx;
        this.idleWait = new IdleWait(vertx, this::round);
        this.tracker = new ExecutionTracker(pool, config.trackedExecutions());
    }

    void start(@Observes StartupEvent ignored) {
        appends.subscribe(this::nudge);
        findTail();
    }

    void stop(@Observes @Priority(1) ShutdownEvent ignored) {
        stopped = true;
        hub.shutdown();
    }

    /** Completes once the follower knows where the feed's tail is: subscribers may register from then on. */
    public Uni<Void> ready() {
        return Uni.createFrom().completionStage(ready);
    }

    private void findTail() {
        if (stopped) {
            return;
        }
        pool.query(TAIL).execute().subscribe().with(rows -> {
            if (rows.size() == 0) {
                cursor = FeedPosition.START;
            } else {
                Row r = rows.iterator().next();
                cursor = new FeedPosition(r.getString(0), r.getLong(1));
            }
            LOG.debugf("live streams follow the global feed from %s", cursor);
            ready.complete(null);
            round();
        }, err -> {
            LOG.warnf("could not find the tail of the event feed, retrying: %s", err.getMessage());
            vertx.setTimer(1000, id -> findTail());
        });
    }

    /** Wakes an idle follower: events were appended here. */
    void nudge() {
        idleWait.wake();
    }

    private void round() {
        if (stopped) {
            return;
        }
        int batch = config.feedBatchSize();
        store.readFeed(cursor, batch)
                .chain(events -> events.isEmpty() ? Uni.createFrom().item(0) : publish(events))
                .subscribe().with(count -> {
                    if (failing) {
                        LOG.info("live streams follow the event feed again");
                        failing = false;
                    }
                    if (count == batch) {
                        vertx.runOnContext(this::round);
                    } else {
                        idleWait.waitFor(config.pollInterval().toMillis());
                    }
                }, err -> {
                    if (!failing) {
                        LOG.warnf("live streams cannot read the event feed, retrying from %s: %s", cursor,
                                err.toString());
                        failing = true;
                    }
                    vertx.setTimer(1000, id -> round());
                });
    }

    private Uni<Integer> publish(List<RecordedEvent> events) {
        RecordedEvent last = events.get(events.size() - 1);
        FeedPosition next = new FeedPosition(last.txId(), last.globalPosition());
        if (!hub.hasSubscribers()) {
            cursor = next; // nobody listens: no message to build (the tracker catches up by itself later)
            return Uni.createFrom().item(events.size());
        }
        return tracker.messages(events).map(messages -> {
            cursor = next;
            hub.publish(messages);
            return events.size();
        });
    }

}
