package io.harmonia.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.config.StreamConfig;
import io.harmonia.domain.execution.ExecutionStatus;
import io.harmonia.domain.execution.ExecutionNotFound;
import io.harmonia.eventstore.ExecutionLookups;
import io.harmonia.eventstore.FeedPosition;
import io.harmonia.eventstore.FeedPositions;
import io.harmonia.eventstore.PgEventStore;
import io.harmonia.eventstore.RecordedEvent;
import io.harmonia.eventstore.StreamIds;
import io.harmonia.projection.executions.ExecutionReadModel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Opens live streams for the transports (WebSocket, SSE): checks a request before the connection is accepted, then
 * registers the subscriber, sends the snapshot and the history it missed, and switches it to live events.
 */
@ApplicationScoped
public class StreamService {
    private static final Logger LOG = Logger.getLogger(StreamService.class);

    /** What the checks found, for opening the stream once the connection is accepted. */
    public record Checked(StreamRequest request, FeedPosition after) {}

    private final StreamHub hub;
    private final FeedFollower follower;
    private final PgEventStore store;
    private final ExecutionReadModel readModel;
    private final FeedPositions positions;
    private final ExecutionLookups lookups;
    private final StreamConfig config;
    private final Counter cutOffs;

    public StreamService(StreamHub hub, FeedFollower follower, PgEventStore store, ExecutionReadModel readModel,
            FeedPositions positions, ExecutionLookups lookups, StreamConfig config, MeterRegistry metrics) {
        this.hub = hub;
        this.follower = follower;
        this.store = store;
        this.readModel = readModel;
        this.positions = positions;
        this.lookups = lookups;
        this.config = config;
        this.cutOffs = Counter.builder("harmonia.streams.cut.off")
                .description("live-stream subscribers disconnected for falling too far behind").register(metrics);
    }

    // ---- checks, before a connection is accepted ----

    /**
     * Fails with {@link ExecutionNotFound} for an unknown execution, {@link BadStreamRequest} for a resume point
     * past the execution's last event.
     */
    public Uni<Checked> checkExecution(String executionId, StreamRequest request) {
        if (!StreamRequest.isUuid(executionId)) {
            return Uni.createFrom().failure(new ExecutionNotFound(executionId));
        }
        return readModel.view(executionId).map(view -> {
            JsonNode v = view.orElseThrow(() -> new ExecutionNotFound(executionId));
            int version = v.path("version").asInt();
            Integer after = request.afterSequence();
            if (after != null && after > version) {
                throw new BadStreamRequest(request.afterPointer(), "expected the sequence of an event of execution "
                        + executionId + ", from 0 to " + version + " (its last event), found " + after);
            }
            return new Checked(request, null);
        });
    }

    /** Fails with {@link BadStreamRequest} when the resume point names no stored event. */
    public Uni<Checked> checkGlobal(StreamRequest request) {
        if (request.afterEventId() == null) {
            return Uni.createFrom().item(new Checked(request, null));
        }
        return positions.of(StreamIds.execution(request.afterExecutionId()), request.afterEventSequence())
                .map(found -> new Checked(request, found.orElseThrow(() -> new BadStreamRequest(
                        request.afterPointer(), "expected the id of an event that exists,"
                                + " <execution_id>/<sequence>, found '" + request.afterEventId() + "'"))));
    }

    // ---- opening ----

    /**
     * Streams one execution: its events after {@code request.afterSequence()} (default: after the current version;
     * a finished execution: its whole history), then live events; a finished execution's stream ends after its last
     * event. A stream that starts at the current version begins with a snapshot of the view at that version.
     */
    public StreamSubscriber openExecution(String executionId, Checked checked, StreamSubscriber.Sink sink) {
        StreamRequest request = checked.request();
        StreamSubscriber sub = subscriber(false, executionId, request, sink);
        sub.onGap(() -> run(sub, catchUpExecution(sub)));
        Uni<Void> open = follower.ready()
                .chain(() -> {
                    register(sub); // before reading anything: no event can fall between history and live
                    return readModel.view(executionId);
                })
                .chain(view -> {
                    if (view.isEmpty()) {
                        sub.end(StreamSubscriber.EndKind.FAILED, "execution " + executionId + " no longer exists");
                        return Uni.createFrom().voidItem();
                    }
                    JsonNode v = view.get();
                    int version = v.path("version").asInt();
                    String status = v.path("status").asText();
                    boolean finished = ExecutionStatus.valueOf(status).terminal();
                    int after = request.afterSequence() != null ? request.afterSequence() : finished ? 0 : version;
                    // a snapshot only where the stream starts at the present: every message after it has a higher
                    // sequence (a replay of history, e.g. a finished execution's, starts with its first event)
                    sub.startAfter(after, after == version ? snapshot(executionId, version, v) : null, version,
                            finished ? status : null);
                    return catchUpExecution(sub);
                });
        run(sub, open);
        return sub;
    }

    /** Streams every execution's events (filtered), live, or first from the event after {@code checked.after()}. */
    public StreamSubscriber openGlobal(Checked checked, StreamSubscriber.Sink sink) {
        StreamSubscriber sub = subscriber(true, null, checked.request(), sink);
        Uni<Void> open = follower.ready().chain(() -> {
            sub.startAt(checked.after());
            register(sub);
            return checked.after() == null ? Uni.createFrom().voidItem() : catchUpGlobal(sub);
        });
        run(sub, open);
        return sub;
    }

    private StreamSubscriber subscriber(boolean global, String executionId, StreamRequest request,
            StreamSubscriber.Sink sink) {
        StreamSubscriber sub = new StreamSubscriber(global, executionId, request, config.bufferSize(),
                config.maxInFlight(), new CountingSink(sink));
        sub.onDone(() -> hub.unregister(sub));
        return sub;
    }

    private void register(StreamSubscriber sub) {
        hub.register(sub);
        if (sub.done()) {
            hub.unregister(sub); // the client left while the stream was opening
        }
    }

    private void run(StreamSubscriber sub, Uni<Void> work) {
        work.subscribe().with(ok -> { }, err -> {
            LOG.warnf("a live stream failed (%s): %s", sub.global() ? "all executions"
                    : "execution " + sub.executionId(), err.toString());
            sub.end(StreamSubscriber.EndKind.FAILED, "could not read the event history: " + err.getMessage());
        });
    }

    private int pageSize() {
        return Math.max(1, Math.min(config.historyPageSize(), config.bufferSize() / 2));
    }

    private Uni<Void> catchUpExecution(StreamSubscriber sub) {
        return pageOfExecution(sub, new ExecutionTracker(lookups, 4));
    }

    private Uni<Void> pageOfExecution(StreamSubscriber sub, ExecutionTracker tracker) {
        if (sub.done()) {
            return Uni.createFrom().voidItem();
        }
        long drops = sub.liveDrops();
        int page = pageSize();
        return store.readStream(StreamIds.execution(sub.executionId()), sub.lastSequence() + 1, page)
                .chain(events -> tracker.messages(events).invoke(sub::history).replaceWith(events.size()))
                .call(() -> drained(sub))
                .chain(count -> {
                    if (sub.done()) {
                        return Uni.createFrom().voidItem();
                    }
                    if (count < page && sub.liveDrops() == drops && sub.tryGoLive()) {
                        return Uni.createFrom().voidItem();
                    }
                    return pageOfExecution(sub, tracker);
                });
    }

    private Uni<Void> catchUpGlobal(StreamSubscriber sub) {
        return pageOfFeed(sub, new ExecutionTracker(lookups, 10_000));
    }

    private Uni<Void> pageOfFeed(StreamSubscriber sub, ExecutionTracker tracker) {
        if (sub.done()) {
            return Uni.createFrom().voidItem();
        }
        long drops = sub.liveDrops();
        int page = pageSize();
        return store.readFeed(sub.lastPosition(), page)
                .chain(events -> {
                    if (events.isEmpty()) {
                        return Uni.createFrom().item(0);
                    }
                    RecordedEvent last = events.get(events.size() - 1);
                    return tracker.messages(events).invoke(messages -> {
                        sub.history(messages);
                        sub.historyReached(new FeedPosition(last.txId(), last.globalPosition()));
                    }).replaceWith(events.size());
                })
                .call(() -> drained(sub))
                .chain(count -> {
                    if (sub.done()) {
                        return Uni.createFrom().voidItem();
                    }
                    if (sub.liveDrops() == drops && (count < page || sub.historyMetLive()) && sub.tryGoLive()) {
                        return Uni.createFrom().voidItem();
                    }
                    return pageOfFeed(sub, tracker);
                });
    }

    /** Waits until the subscriber took what it was given; one that takes nothing for too long is cut off. */
    private Uni<Void> drained(StreamSubscriber sub) {
        long stall = config.stallTimeout().toMillis();
        return sub.drained().ifNoItem().after(config.stallTimeout()).recoverWithUni(() -> {
            sub.cutOff("too slow: took no message for " + stall / 1000 + " s");
            return Uni.createFrom().voidItem();
        });
    }

    private static String snapshot(String executionId, int version, JsonNode view) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("type", "snapshot");
        o.put("execution_id", executionId);
        o.put("sequence", version);
        o.put("status", view.path("status").asText());
        o.set("execution", view);
        return o.toString();
    }

    /** Counts the subscribers cut off for being too slow. */
    private final class CountingSink implements StreamSubscriber.Sink {
        private final StreamSubscriber.Sink delegate;

        CountingSink(StreamSubscriber.Sink delegate) {
            this.delegate = delegate;
        }

        @Override
        public Uni<Void> snapshot(String json) {
            return delegate.snapshot(json);
        }

        @Override
        public Uni<Void> event(StreamMessage message) {
            return delegate.event(message);
        }

        @Override
        public void end(StreamSubscriber.Ending ending) {
            if (ending.kind() == StreamSubscriber.EndKind.TOO_SLOW) {
                cutOffs.increment();
                LOG.debugf("cut off a live-stream subscriber: %s", ending.reason());
            }
            delegate.end(ending);
        }
    }
}
