package io.harmonia.eventstore;

import io.harmonia.config.StreamConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * This replica's one reader of the live feed: a {@link FeedLoop} from the feed's tail (an in-memory cursor: what
 * was appended before the replica started is not live) that hands every page, in feed order, to every subscriber.
 * The live streams subscribe; so can the runtime, to learn of events other replicas appended. Woken at once by
 * the {@link AppendSignal} (local appends, and other replicas' through {@link AppendNotifications}); otherwise it
 * polls every {@code harmonia.streams.poll-interval}, {@code harmonia.streams.feed-batch-size} events at a time.
 */
@ApplicationScoped
public class LiveFeed {
    private static final Logger LOG = Logger.getLogger(LiveFeed.class);

    private final List<Consumer<List<RecordedEvent>>> listeners = new CopyOnWriteArrayList<>();
    private final FeedLoop loop;
    private final AppendSignal appends;

    public LiveFeed(PgEventStore store, FeedPositions positions, AppendSignal appends, Vertx vertx,
            StreamConfig config) {
        this.appends = appends;
        this.loop = new FeedLoop(store, vertx, FeedCursor.inMemory(positions::tail), this::handOut,
                new FeedLoop.Settings("the live feed", config.feedBatchSize(), config.pollInterval(),
                        Duration.ofSeconds(1)));
    }

    void start(@Observes StartupEvent ignored) {
        appends.subscribe(loop::wake);
        loop.start();
    }

    void stop(@Observes @Priority(2) ShutdownEvent ignored) {
        loop.stop();
    }

    /**
     * Hands {@code listener} every page read from now on (never empty, in feed order), on the loop's thread: it must
     * be quick and must not block. A listener that throws is logged; the others still get the page.
     */
    public void subscribe(Consumer<List<RecordedEvent>> listener) {
        listeners.add(listener);
    }

    /** Completes once the feed's tail is known: every event appended after it will be handed out. */
    public Uni<Void> ready() {
        return loop.ready().replaceWithVoid();
    }

    /** The position up to which events were handed out (null before {@link #ready}). */
    public FeedPosition position() {
        return loop.position();
    }

    private Uni<Void> handOut(List<RecordedEvent> page) {
        for (Consumer<List<RecordedEvent>> listener : listeners) {
            try {
                listener.accept(page);
            } catch (RuntimeException err) {
                LOG.errorf(err, "a live-feed listener failed on events %s..%s", page.get(0).globalPosition(),
                        page.get(page.size() - 1).globalPosition());
            }
        }
        return Uni.createFrom().voidItem();
    }
}
