package io.harmonia.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restassured.RestAssured;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A real WebSocket client (Vert.x) that records what it receives and how the connection closed. */
final class WsClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client;
    private final WebSocket ws;
    private final List<JsonNode> messages = new ArrayList<>();
    private volatile Short closeCode;
    private volatile String closeReason;
    private volatile boolean closed;

    private WsClient(HttpClient client, WebSocket ws) {
        this.client = client;
        this.ws = ws;
        ws.textMessageHandler(text -> {
            try {
                JsonNode node = JSON.readTree(text);
                synchronized (messages) {
                    messages.add(node);
                }
            } catch (Exception e) {
                throw new IllegalStateException("Expected JSON text messages, found " + text, e);
            }
        });
        ws.closeHandler(v -> {
            closeCode = ws.closeStatusCode();
            closeReason = ws.closeReason();
            closed = true;
        });
    }

    static WsClient connect(Vertx vertx, String uri) throws Exception {
        return connect(vertx, uri, new HttpClientOptions());
    }

    static WsClient connect(Vertx vertx, String uri, HttpClientOptions options) throws Exception {
        HttpClient client = vertx.createHttpClient(options);
        WebSocketConnectOptions o = new WebSocketConnectOptions().setHost("localhost").setPort(RestAssured.port)
                .setURI(uri);
        try {
            // the handlers are set on the connection's event loop as the handshake completes (see OnEventLoop)
            return OnEventLoop.open(vertx, () -> client.webSocket(o).map(ws -> new WsClient(client, ws)));
        } catch (Exception e) {
            client.close();
            throw e;
        }
    }

    List<JsonNode> messages() {
        synchronized (messages) {
            return List.copyOf(messages);
        }
    }

    /** The event messages (not the snapshot). */
    List<JsonNode> events() {
        return messages().stream().filter(m -> !"snapshot".equals(m.path("type").asText())).toList();
    }

    /** Waits for the snapshot and returns its sequence (the execution's version when the stream opened). */
    int messagesAfterSnapshotVersion() {
        org.awaitility.Awaitility.await().atMost(timeout()).until(() -> !messages().isEmpty());
        JsonNode first = messages().get(0);
        if (!"snapshot".equals(first.path("type").asText())) {
            throw new AssertionError("Expected a snapshot first, found " + first);
        }
        return first.path("sequence").asInt();
    }

    boolean closed() {
        return closed;
    }

    Short closeCode() {
        return closeCode;
    }

    String closeReason() {
        return closeReason;
    }

    void pause() {
        ws.pause();
    }

    void resume() {
        ws.resume();
    }

    @Override
    public void close() {
        if (!closed) {
            ws.close();
        }
        client.close();
    }

    static Duration timeout() {
        return Duration.ofSeconds(30);
    }
}
