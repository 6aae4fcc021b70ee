package io.harmonia.eventstore;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * Follows the global feed: reads a page after the cursor, hands it on, moves the cursor, again. The one loop behind
 * the Kafka relay, the live streams and each webhook subscription.
 *
 * <ul>
 * <li>The cursor moves past a page only after the {@link Handler}'s Uni succeeded and the {@link FeedCursor} saved
 * it: a failed page is handed on again (at-least-once).</li>
 * <li>A full page is followed by the next at once; a partial or empty one by an {@link IdleWait} of
 * {@code idlePoll}, which {@link #wake} (the {@link AppendSignal}) ends early.</li>
 * <li>A failure (reading, handing on, saving) is retried after {@code errorBackoff}; the first is logged as a WARN
 * with the cursor, the first success after it as an INFO.</li>
 * <li>{@link #stop} ends it: no round starts after it, and a round in flight changes nothing more.</li>
 * </ul>
 */
public final class FeedLoop {
    private static final Logger LOG = Logger.getLogger(FeedLoop.class);

    /**
     * @param name what the loop does, for the logs ("Kafka publication", "webhook subscription 42")
     * @param pageSize events read at most per page
     * @param idlePoll how long to wait after a partial page when nothing wakes the loop
     * @param errorBackoff how long to wait after a failure
     */
    public record Settings(String name, int pageSize, Duration idlePoll, Duration errorBackoff) {
        public Settings {
            if (pageSize < 1) {
                throw new IllegalArgumentException("Expected a page size of at least 1 for " + name + ", found "
                        + pageSize);
            }
        }
    }

    /** Hands a page (never empty, in feed order) on; the loop goes on once the Uni succeeds. */
    @FunctionalInterface
    public interface Handler {
        Uni<Void> handle(List<RecordedEvent> page);
    }

    private final PgEventStore store;
    private final Vertx vertx;
    private final FeedCursor cursor;
    private final Handler handler;
    private final Settings settings;
    private final IdleWait idleWait;
    private final CompletableFuture<FeedPosition> loaded = new CompletableFuture<>();

    private volatile boolean stopped;
    private volatile FeedPosition position;
    private boolean failing;

    public FeedLoop(PgEventStore store, Vertx vertx, FeedCursor cursor, Handler handler, Settings settings) {
        this.store = store;
        this.vertx = vertx;
        this.cursor = cursor;
        this.handler = handler;
        this.settings = settings;
        this.idleWait = new IdleWait(vertx, this::round);
    }

    /** Loads the cursor (retrying until it can) and starts following the feed from it. */
    public void start() {
        load();
    }

    /** After {@code delay}: for a loop that must not begin at once (a webhook waiting for a retry). */
    public void startAfter(Duration delay) {
        if (delay.toMillis() <= 0) {
            start();
        } else {
            vertx.setTimer(delay.toMillis(), id -> load());
        }
    }

    /** Events were appended: an idle loop reads at once, a busy one reads again when its round ends. */
    public void wake() {
        if (!stopped) {
            idleWait.wake();
        }
    }

    /** Ends the loop. */
    public void stop() {
        stopped = true;
        idleWait.cancel();
    }

    public boolean stopped() {
        return stopped;
    }

    /** Completes with the loaded cursor, once the loop knows where it starts. */
    public Uni<FeedPosition> ready() {
        return Uni.createFrom().completionStage(loaded);
    }

    /** The position up to which events were handed on (null before the cursor was loaded). */
    public FeedPosition position() {
        return position;
    }

    private void load() {
        if (stopped) {
            return;
        }
        cursor.load().subscribe().with(start -> {
            position = start;
            loaded.complete(start);
            LOG.debugf("%s follows the event feed from %s", settings.name(), start);
            round();
        }, err -> {
            failed(err, "could not load its cursor");
            vertx.setTimer(backoff(), id -> load());
        });
    }

    private void round() {
        if (stopped) {
            return;
        }
        store.readFeed(position, settings.pageSize())
                .chain(page -> page.isEmpty() ? Uni.createFrom().item(0) : handOn(page))
                .subscribe().with(count -> {
                    if (stopped) {
                        return;
                    }
                    resumed();
                    if (count == settings.pageSize()) {
                        vertx.runOnContext(this::round); // a full page: there may be more
                    } else {
                        idleWait.waitFor(settings.idlePoll().toMillis());
                    }
                }, err -> {
                    if (stopped) {
                        return;
                    }
                    failed(err, "is failing, will retry from " + position);
                    vertx.setTimer(backoff(), id -> round());
                });
    }

    private Uni<Integer> handOn(List<RecordedEvent> page) {
        RecordedEvent last = page.get(page.size() - 1);
        FeedPosition end = new FeedPosition(last.txId(), last.globalPosition());
        return Uni.createFrom().deferred(() -> handler.handle(page))
                .chain(() -> stopped ? Uni.createFrom().voidItem() : cursor.save(end))
                .map(ignored -> {
                    if (!stopped) {
                        position = end;
                    }
                    return page.size();
                });
    }

    private synchronized void failed(Throwable err, String what) {
        if (!failing) {
            failing = true;
            LOG.warnf("%s %s: %s", settings.name(), what, err.toString());
        } else {
            LOG.debugf("%s %s: %s", settings.name(), what, err.toString());
        }
    }

    private synchronized void resumed() {
        if (failing) {
            failing = false;
            LOG.infof("%s resumed from %s", settings.name(), position);
        }
    }

    private long backoff() {
        return Math.max(1, settings.errorBackoff().toMillis());
    }
}
