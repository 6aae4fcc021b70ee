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
    /** Whether a listener wants every local append at once (e.g. live streams with clients); else it may wait. */
    private final List<java.util.function.BooleanSupplier> urgent = new CopyOnWriteArrayList<>();
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
        // another replica's append wakes the feed at once; a local one only while a listener wants it now (a live
        // stream has clients): otherwise the feed reads once per poll interval, not once per append of this replica
        appends.subscribeElsewhere(loop::wake);
        appends.subscribeHere(this::wakeIfUrgent);
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
        subscribe(listener, () -> false);
    }

    /**
     * As {@link #subscribe(Consumer)}; while {@code now} is true the feed is read at once after every append made on
     * this replica (otherwise at the next poll, or at once for appends of other replicas).
     */
    public void subscribe(Consumer<List<RecordedEvent>> listener, java.util.function.BooleanSupplier now) {
        listeners.add(listener);
        urgent.add(now);
    }

    private void wakeIfUrgent() {
        for (java.util.function.BooleanSupplier now : urgent) {
            if (now.getAsBoolean()) {
                loop.wake();
                return;
            }
        }
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
