package io.harmonia.stream;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Who listens to what: live events from the {@link FeedFollower} go to the subscribers of their execution and to
 * every subscriber of the stream of all executions. */
@ApplicationScoped
public class StreamHub {
    private final Map<String, Set<StreamSubscriber>> byExecution = new ConcurrentHashMap<>();
    private final List<StreamSubscriber> global = new CopyOnWriteArrayList<>();

    public StreamHub(MeterRegistry metrics) {
        Gauge.builder("harmonia.streams.subscribers", this, StreamHub::count)
                .description("open live-stream subscribers (WebSocket and SSE)").register(metrics);
    }

    void register(StreamSubscriber s) {
        if (s.global()) {
            global.add(s);
        } else {
            byExecution.computeIfAbsent(s.executionId(), id -> ConcurrentHashMap.newKeySet()).add(s);
        }
    }

    void unregister(StreamSubscriber s) {
        if (s.global()) {
            global.remove(s);
        } else {
            byExecution.computeIfPresent(s.executionId(), (id, set) -> {
                set.remove(s);
                return set.isEmpty() ? null : set;
            });
        }
    }

    /** Whether anyone listens (the follower does not build messages for nobody). */
    boolean hasSubscribers() {
        return !global.isEmpty() || !byExecution.isEmpty();
    }

    public int count() {
        return global.size() + byExecution.values().stream().mapToInt(Set::size).sum();
    }

    /** Hands live events, in feed order, to their subscribers. */
    void publish(List<StreamMessage> messages) {
        for (StreamMessage m : messages) {
            Set<StreamSubscriber> own = byExecution.get(m.executionId());
            if (own != null) {
                for (StreamSubscriber s : own) {
                    s.onLive(m);
                }
            }
            for (StreamSubscriber s : global) {
                s.onLive(m);
            }
        }
    }

    /** Ends every stream: the server is shutting down. */
    void shutdown() {
        for (StreamSubscriber s : List.copyOf(global)) {
            s.end(StreamSubscriber.EndKind.SHUTDOWN, "server shutting down");
        }
        for (Set<StreamSubscriber> set : List.copyOf(byExecution.values())) {
            for (StreamSubscriber s : List.copyOf(set)) {
                s.end(StreamSubscriber.EndKind.SHUTDOWN, "server shutting down");
            }
        }
    }
}
