package io.harmonia.api.stream;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.stream.Sse;
import io.harmonia.stream.StreamMessage;
import io.harmonia.stream.StreamSubscriber;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.Locale;

/**
 * A live stream as server-sent events: {@code id} is the event's sequence (per execution) or
 * {@code <execution_id>/<sequence>} (all executions), {@code event} its type, {@code data} its message. The
 * snapshot has no id, so a browser's {@code Last-Event-ID} always names the last event it received. A finished
 * execution's stream sends an {@code end} event and completes; a cut-off one an {@code error} event.
 */
final class SseSink implements StreamSubscriber.Sink {
    private static final byte[] HEARTBEAT = ": keep-alive\n\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private final HttpServerResponse response;
    private final boolean global;
    private final String executionId;
    private final Vertx vertx;
    private final Duration closeTimeout;
    private final long heartbeat;
    private final ConnectionContext context;

    SseSink(HttpServerResponse response, boolean global, String executionId, Vertx vertx, Duration heartbeatEvery,
            Duration closeTimeout) {
        this.response = response;
        this.global = global;
        this.executionId = executionId;
        this.vertx = vertx;
        this.closeTimeout = closeTimeout;
        this.context = new ConnectionContext(vertx);
        this.heartbeat = vertx.setPeriodic(Math.max(1, heartbeatEvery.toMillis()), id -> {
            if (!response.ended() && !response.closed() && !response.writeQueueFull()) {
                response.write(Buffer.buffer(HEARTBEAT));
            }
        });
    }

    @Override
    public Uni<Void> snapshot(String json) {
        return write(Buffer.buffer(Sse.frame(null, "snapshot", json)));
    }

    @Override
    public Uni<Void> event(StreamMessage message) {
        return write(Buffer.buffer(message.sseFrame(global)));
    }

    private Uni<Void> write(Buffer frame) {
        return context.inOrder(() -> Uni.createFrom().emitter(em -> {
            if (response.ended() || response.closed()) {
                em.fail(new IllegalStateException("Expected an open SSE stream, found it closed"));
                return;
            }
            response.write(frame).onComplete(ar -> {
                if (ar.succeeded()) {
                    em.complete(null);
                } else {
                    em.fail(ar.cause());
                }
            });
        }));
    }

    @Override
    public void end(StreamSubscriber.Ending ending) {
        vertx.cancelTimer(heartbeat);
        if (response.ended() || response.closed()) {
            return;
        }
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        String event;
        if (ending.kind() == StreamSubscriber.EndKind.FINISHED) {
            event = "end";
            o.put("type", "end");
            o.put("execution_id", executionId);
            o.put("status", ending.status());
            o.put("reason", ending.reason());
        } else {
            event = "error";
            o.put("type", "error");
            o.put("code", ending.kind().name().toLowerCase(Locale.ROOT));
            String resume = ending.resumeFrom() == null ? "reconnect"
                    : "reconnect with Last-Event-ID: " + ending.resumeFrom();
            o.put("reason", ending.kind() == StreamSubscriber.EndKind.FAILED ? ending.reason()
                    : ending.reason() + "; " + resume);
            if (ending.resumeFrom() == null) {
                o.putNull("last_event_id");
            } else {
                o.put("last_event_id", ending.resumeFrom());
            }
        }
        var ended = response.end(Buffer.buffer(Sse.frame(null, event, o.toString())));
        if (ending.kind() == StreamSubscriber.EndKind.TOO_SLOW) {
            // a client that does not read never takes the end of the stream: drop the connection after a while
            vertx.setTimer(Math.max(1, closeTimeout.toMillis()), id -> {
                if (!ended.isComplete()) {
                    response.reset();
                }
            });
        }
    }

    void cancelHeartbeat() {
        vertx.cancelTimer(heartbeat);
    }
}
