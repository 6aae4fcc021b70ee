package io.harmonia.api.stream;

import io.harmonia.stream.StreamMessage;
import io.harmonia.stream.StreamSubscriber;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpConnection;
import io.vertx.mutiny.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A live stream over a WebSocket: one text message per event. Ends with close code 1000 when the execution finished,
 * 4000 when the client fell too far behind, 1001 at shutdown, 1011 on failure; the reason says how to resume
 * ({@code ?after=<last sequence or event id>}).
 */
final class WebSocketSink implements StreamSubscriber.Sink {
    static final short TOO_SLOW = 4000;
    private static final int MAX_REASON_BYTES = 123; // RFC 6455: a close frame's payload is at most 125 bytes

    private final WebSocketConnection connection;
    private final HttpConnection tcp;
    private final Vertx vertx;
    private final Duration closeTimeout;
    private final ConnectionContext context;

    WebSocketSink(WebSocketConnection connection, HttpConnection tcp, Vertx vertx, Duration closeTimeout) {
        this.connection = connection;
        this.tcp = tcp;
        this.vertx = vertx;
        this.closeTimeout = closeTimeout;
        this.context = new ConnectionContext(vertx.getDelegate());
    }

    @Override
    public Uni<Void> snapshot(String json) {
        return context.inOrder(() -> connection.sendText(json));
    }

    @Override
    public Uni<Void> event(StreamMessage message) {
        return context.inOrder(() -> connection.sendText(message.json()));
    }

    @Override
    public void end(StreamSubscriber.Ending ending) {
        String resume = ending.resumeFrom() == null ? "reconnect" : "reconnect with ?after=" + ending.resumeFrom();
        CloseReason reason = switch (ending.kind()) {
            case FINISHED -> new CloseReason(1000, truncate(ending.reason()));
            case TOO_SLOW -> new CloseReason(TOO_SLOW, truncate(ending.reason() + "; " + resume));
            case SHUTDOWN -> new CloseReason(1001, truncate(ending.reason() + "; " + resume));
            case FAILED -> new CloseReason(1011, truncate(ending.reason()));
        };
        if (connection.isClosed()) {
            return;
        }
        connection.close(reason).subscribe().with(ok -> { }, err -> { });
        if (ending.kind() == StreamSubscriber.EndKind.TOO_SLOW && tcp != null) {
            // a client that does not read cannot even receive the close frame: drop the connection after a while
            vertx.setTimer(Math.max(1, closeTimeout.toMillis()), id -> {
                if (!connection.isClosed()) {
                    tcp.close();
                }
            });
        }
    }

    private static String truncate(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_REASON_BYTES) {
            return s;
        }
        return new String(bytes, 0, MAX_REASON_BYTES, StandardCharsets.UTF_8).replace("\uFFFD", "");
    }
}
