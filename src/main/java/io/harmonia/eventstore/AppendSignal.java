package io.harmonia.eventstore;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * "Events were appended": raised after each commit that appended events, so feed followers (the Kafka relay, live
 * streams, webhook deliverers, the runtime) read the feed at once instead of at their next poll. A wake-up only: a
 * follower that misses one still finds the events at its next poll.
 */
@ApplicationScoped
public class AppendSignal {
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> here = new CopyOnWriteArrayList<>();
    private final List<Runnable> elsewhere = new CopyOnWriteArrayList<>();

    /**
     * Runs {@code listener} after every append, here or on another replica (on the appending or notified thread: it
     * must be quick and must not block).
     */
    public void subscribe(Runnable listener) {
        listeners.add(listener);
    }

    /** Runs {@code listener} after every append made on this replica. */
    public void subscribeHere(Runnable listener) {
        here.add(listener);
    }

    /** Runs {@code listener} after every append another replica notified ({@link AppendNotifications}). */
    public void subscribeElsewhere(Runnable listener) {
        elsewhere.add(listener);
    }

    /** Called after an append committed on this replica. */
    public void appended() {
        run(listeners);
        run(here);
    }

    /** Called when another replica notified an append (or notifications may have been missed). */
    public void appendedElsewhere() {
        run(listeners);
        run(elsewhere);
    }

    private static void run(List<Runnable> these) {
        for (Runnable listener : these) {
            listener.run();
        }
    }
}
