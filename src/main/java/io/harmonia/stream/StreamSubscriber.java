package io.harmonia.stream;

import io.harmonia.eventstore.FeedPosition;
import io.smallrye.mutiny.Uni;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One client of a live stream, whatever its transport: receives live events from the {@link StreamHub}, history
 * from the event store while it catches up, and writes them in order to its {@link Sink} without gaps or duplicates.
 *
 * <p>Order and no-duplicates: per execution, events are identified by their sequence; in the stream of all executions,
 * by their position in the global feed. The subscriber is registered with the hub <em>before</em> history is read,
 * and every event at or before the last one handled is skipped, so an event committed while history was being read
 * arrives exactly once. Per execution a gap in the live events (sequence n+2 after n) sends the subscriber back to the
 * event store for what is missing.
 *
 * <p>Bounded memory: at most {@code bufferSize} messages wait to be written. A live subscriber that falls further
 * behind is cut off ({@link Sink#cutOff}); it can resume from the last event it received. While catching up, live
 * events wait in a buffer of the same size; when it overflows they are dropped (history will bring them back from the
 * store) and history is read further.
 *
 * <p>Thread-safety: the hub calls {@link #onLive} on the feed follower's thread, writes complete on the connection's
 * event loop; state is guarded by this object's monitor (held briefly, never across IO).
 */
public final class StreamSubscriber {

    /** The connection side: WebSocket or SSE. Each method is called once the previous write was issued. */
    public interface Sink {
        /** Writes a snapshot message. The Uni completes once it is written to the connection. */
        Uni<Void> snapshot(String json);

        /** Writes an event message. The Uni completes once it is written to the connection. */
        Uni<Void> event(StreamMessage message);

        /** Ends the stream (see {@link Ending}); called once, after every issued write. */
        void end(Ending ending);
    }

    /** Why a stream ends. */
    public enum EndKind {
        /** The execution finished and everything was sent (WebSocket 1000, SSE {@code end} event). */
        FINISHED,
        /** The subscriber fell too far behind (WebSocket 4000, SSE {@code error} event). */
        TOO_SLOW,
        /** The server is shutting down (WebSocket 1001, SSE {@code error} event). */
        SHUTDOWN,
        /** The stream cannot go on (WebSocket 1011, SSE {@code error} event). */
        FAILED
    }

    /**
     * @param reason what happened, for people
     * @param resumeFrom the id of the last event handed to the connection (a sequence, or
     *     {@code <execution_id>/<sequence>}), or null when none was
     * @param status the execution's final status (FINISHED only)
     */
    public record Ending(EndKind kind, String reason, String resumeFrom, String status) {}

    private final boolean global;
    private final String executionId;
    private final StreamRequest request;
    private final int bufferSize;
    private final int maxInFlight;
    private final Sink sink;
    private Runnable onDone = () -> { };
    private Runnable needsCatchUp = () -> { };

    // guarded by this
    private boolean catchingUp = true;
    private final ArrayDeque<StreamMessage> live = new ArrayDeque<>();
    private long liveDrops;
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private int inFlight;
    private boolean pumping;
    private boolean done;
    private boolean finishing;
    private String finalStatus;
    private int lastSequence;
    private FeedPosition lastPosition;
    private String lastIssued;
    private int terminalSequence = -1;
    private final List<Runnable> drainWaiters = new ArrayList<>(1);

    StreamSubscriber(boolean global, String executionId, StreamRequest request, int bufferSize, int maxInFlight,
            Sink sink) {
        this.global = global;
        this.executionId = executionId;
        this.request = request;
        this.bufferSize = bufferSize;
        this.maxInFlight = maxInFlight;
        this.sink = sink;
        this.lastIssued = global ? request.afterEventId()
                : request.afterSequence() == null ? null : String.valueOf(request.afterSequence());
    }

    void onDone(Runnable r) {
        this.onDone = r;
    }

    void onGap(Runnable r) {
        this.needsCatchUp = r;
    }

    public boolean global() {
        return global;
    }

    /** The execution of a per-execution subscriber, or null. */
    public String executionId() {
        return executionId;
    }

    public StreamRequest request() {
        return request;
    }

    public synchronized boolean done() {
        return done;
    }

    // ---- positions ----

    synchronized int lastSequence() {
        return lastSequence;
    }

    synchronized FeedPosition lastPosition() {
        return lastPosition;
    }

    /** Per execution: start after this sequence; the snapshot (null: none) goes first. */
    synchronized void startAfter(int sequence, String snapshotJson, int snapshotVersion, String finishedStatus) {
        lastSequence = sequence;
        if (lastIssued == null && sequence > 0) {
            lastIssued = String.valueOf(sequence);
        }
        if (finishedStatus != null) {
            terminalSequence = snapshotVersion;
            finalStatus = finishedStatus;
        }
        if (snapshotJson != null) {
            enqueue(snapshotJson);
        }
    }

    /** Global: start after this feed position (null: with the next live event). */
    synchronized void startAt(FeedPosition position) {
        lastPosition = position;
        if (position == null) {
            catchingUp = false;
        }
    }

    // ---- live events, from the hub ----

    void onLive(StreamMessage m) {
        boolean gap = false;
        synchronized (this) {
            if (done || finishing) {
                return;
            }
            if (catchingUp) {
                live.add(m);
                if (live.size() > bufferSize) {
                    // history will bring these back from the store
                    live.clear();
                    liveDrops++;
                }
                return;
            }
            if (!global && m.sequence() > lastSequence + 1) {
                catchingUp = true;
                live.add(m);
                gap = true;
            } else {
                handle(m);
            }
        }
        if (gap) {
            needsCatchUp.run();
        }
    }

    // ---- history, from the catch-up ----

    /** How often the live buffer overflowed so far: history must be read past what was dropped. */
    synchronized long liveDrops() {
        return liveDrops;
    }

    synchronized void history(List<StreamMessage> messages) {
        for (StreamMessage m : messages) {
            if (done || finishing) {
                return;
            }
            handle(m);
        }
    }

    /** Global: the catch-up read the feed up to here (the last events may not be execution events). */
    synchronized void historyReached(FeedPosition p) {
        if (lastPosition == null || Positions.compare(p, lastPosition) > 0) {
            lastPosition = p;
        }
    }

    /** Global: whether the live buffer starts at or before where history got to (history can stop). */
    synchronized boolean historyMetLive() {
        return !live.isEmpty() && lastPosition != null && Positions.compare(live.peek().position(), lastPosition) <= 0;
    }

    /**
     * Ends the catch-up: hands the buffered live events over. False when they do not follow on from history (a gap:
     * read more history first).
     */
    synchronized boolean tryGoLive() {
        if (done) {
            return true;
        }
        while (!live.isEmpty()) {
            StreamMessage m = live.peek();
            if (global) {
                if (lastPosition != null && Positions.compare(m.position(), lastPosition) <= 0) {
                    live.poll();
                    continue;
                }
            } else {
                if (m.sequence() <= lastSequence) {
                    live.poll();
                    continue;
                }
                if (m.sequence() > lastSequence + 1) {
                    return false;
                }
            }
            live.poll();
            handle(m);
            if (done || finishing) {
                live.clear();
                break;
            }
        }
        catchingUp = false;
        if (terminalSequence >= 0 && lastSequence >= terminalSequence) {
            finishing = true;
        }
        pump();
        return true;
    }

    /** Completes when every queued message was handed to the connection (or the subscriber is done). */
    Uni<Void> drained() {
        return Uni.createFrom().emitter(em -> {
            synchronized (this) {
                if (done || queue.isEmpty()) {
                    em.complete(null);
                } else {
                    drainWaiters.add(() -> em.complete(null));
                }
            }
        });
    }

    // ---- writing ----

    private void handle(StreamMessage m) {
        if (global) {
            if (lastPosition != null && Positions.compare(m.position(), lastPosition) <= 0) {
                return;
            }
            lastPosition = m.position();
        } else {
            if (m.sequence() <= lastSequence) {
                return;
            }
            lastSequence = m.sequence();
        }
        if (request.accepts(m)) {
            enqueue(m);
        }
        if (!global && m.terminal()) {
            finishing = true;
            finalStatus = m.status();
            pump();
        }
    }

    private void enqueue(Object o) {
        queue.add(o);
        if (queue.size() > bufferSize && !catchingUp) {
            cutOff("too slow: fell " + bufferSize + " events behind");
            return;
        }
        pump();
    }

    private void pump() {
        if (pumping) {
            return;
        }
        pumping = true;
        try {
            while (!done && inFlight < maxInFlight && !queue.isEmpty()) {
                Object o = queue.poll();
                inFlight++;
                Uni<Void> write;
                if (o instanceof StreamMessage m) {
                    lastIssued = global ? m.globalId() : String.valueOf(m.sequence());
                    write = sink.event(m);
                } else {
                    write = sink.snapshot((String) o);
                }
                write.subscribe().with(ok -> written(), this::writeFailed);
            }
            if (!drainWaiters.isEmpty() && (queue.isEmpty() || done)) {
                List<Runnable> waiters = List.copyOf(drainWaiters);
                drainWaiters.clear();
                waiters.forEach(Runnable::run);
            }
            if (finishing && !done && queue.isEmpty() && inFlight == 0) {
                done = true;
                onDone.run();
                sink.end(new Ending(EndKind.FINISHED, "execution " + finalStatus, lastIssued, finalStatus));
            }
        } finally {
            pumping = false;
        }
    }

    private synchronized void written() {
        inFlight--;
        pump();
    }

    private void writeFailed(Throwable t) {
        synchronized (this) {
            inFlight--;
            if (done) {
                return;
            }
            done = true;
            queue.clear();
            live.clear();
            pump();
        }
        onDone.run();
    }

    /** Cuts the subscriber off: it cannot keep up. */
    void cutOff(String why) {
        end(EndKind.TOO_SLOW, why);
    }

    /** Ends the stream early (too slow, shutdown, failure). */
    synchronized void end(EndKind kind, String reason) {
        if (done) {
            return;
        }
        done = true;
        queue.clear();
        live.clear();
        pump();
        onDone.run();
        sink.end(new Ending(kind, reason, lastIssued, null));
    }

    /** The client went away. */
    public void cancel() {
        synchronized (this) {
            if (done) {
                return;
            }
            done = true;
            queue.clear();
            live.clear();
            pump();
        }
        onDone.run();
    }
}
