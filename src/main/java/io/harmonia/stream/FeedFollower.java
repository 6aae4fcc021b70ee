package io.harmonia.stream;

import io.harmonia.config.StreamConfig;
import io.harmonia.eventstore.ExecutionLookups;
import io.harmonia.eventstore.LiveFeed;
import io.harmonia.eventstore.RecordedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Feeds live streams from the replica's {@link LiveFeed} (so every replica streams every execution, whichever replica
 * runs it): builds each event's message once, in feed order, and hands it to the {@link StreamHub}. Building a page
 * may look executions up in the store (see {@link ExecutionTracker}); pages wait their turn here, off the feed's
 * thread, and a failed lookup is retried every second (a WARN once, an INFO when it works again).
 */
@ApplicationScoped
public class FeedFollower {
    private static final Logger LOG = Logger.getLogger(FeedFollower.class);
    private static final Duration RETRY = Duration.ofSeconds(1);

    private final LiveFeed feed;
    private final StreamHub hub;
    private final Vertx vertx;
    private final ExecutionTracker tracker;
    private final ArrayDeque<List<RecordedEvent>> pages = new ArrayDeque<>();

    private volatile boolean stopped;
    private boolean building;
    private boolean failing;

    public FeedFollower(LiveFeed feed, StreamHub hub, StreamConfig config, ExecutionLookups lookups, Vertx vertx) {
        this.feed = feed;
        this.hub = hub;
        this.vertx = vertx;
        this.tracker = new ExecutionTracker(lookups, config.trackedExecutions());
    }

    void start(@Observes StartupEvent ignored) {
        feed.subscribe(this::onPage, hub::hasSubscribers);
    }

    void stop(@Observes @Priority(1) ShutdownEvent ignored) {
        stopped = true;
        hub.shutdown();
    }

    /** Completes once the live feed knows where the feed's tail is: subscribers may register from then on. */
    public Uni<Void> ready() {
        return feed.ready();
    }

    private void onPage(List<RecordedEvent> page) {
        if (stopped || !hub.hasSubscribers()) {
            return; // nobody listens: no message to build (the tracker catches up by itself later)
        }
        synchronized (this) {
            pages.add(page);
            if (building) {
                return;
            }
            building = true;
        }
        buildNext();
    }

    /** Builds the oldest waiting page's messages and publishes them, then the next page's. */
    private void buildNext() {
        List<RecordedEvent> page;
        synchronized (this) {
            page = pages.peek();
            if (page == null || stopped) {
                building = false;
                pages.clear();
                return;
            }
        }
        tracker.messages(page).subscribe().with(messages -> {
            synchronized (this) {
                pages.poll();
            }
            if (failing) {
                LOG.info("live streams build messages again");
                failing = false;
            }
            hub.publish(messages);
            buildNext();
        }, err -> {
            if (!failing) {
                LOG.warnf("live streams cannot build the messages of events %d..%d, retrying: %s",
                        page.get(0).globalPosition(), page.get(page.size() - 1).globalPosition(), err.toString());
                failing = true;
            }
            vertx.setTimer(RETRY.toMillis(), id -> buildNext());
        });
    }
}
