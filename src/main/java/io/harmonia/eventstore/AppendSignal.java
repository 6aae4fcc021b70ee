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

    /** Runs {@code listener} after every append (on the appending thread: it must be quick and must not block). */
    public void subscribe(Runnable listener) {
        listeners.add(listener);
    }

    /** Called after an append committed. */
    public void appended() {
        for (Runnable listener : listeners) {
            listener.run();
        }
    }
}
