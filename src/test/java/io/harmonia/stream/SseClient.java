package io.harmonia.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restassured.RestAssured;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A real SSE client over the Vert.x HTTP client: parses the event stream as it arrives. */
final class SseClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One server-sent event; {@code id} is null when the event had none. */
    record Event(String id, String event, JsonNode data) {}

    private final HttpClient client;
    private final HttpClientResponse response;
    private final List<Event> events = new ArrayList<>();
    private final StringBuilder pending = new StringBuilder();
    private volatile boolean ended;

    private SseClient(HttpClient client, HttpClientResponse response) {
        this.client = client;
        this.response = response;
        response.handler(chunk -> onChunk(chunk.toString(StandardCharsets.UTF_8)));
        response.endHandler(v -> ended = true);
        response.exceptionHandler(e -> ended = true);
    }

    static SseClient open(Vertx vertx, String uri, String lastEventId) throws Exception {
        return open(vertx, uri, lastEventId, new HttpClientOptions());
    }

    static SseClient open(Vertx vertx, String uri, String lastEventId, HttpClientOptions options) throws Exception {
        HttpClient client = vertx.createHttpClient(options);
        RequestOptions o = new RequestOptions().setMethod(HttpMethod.GET).setHost("localhost")
                .setPort(RestAssured.port).setURI(uri).putHeader("Accept", "text/event-stream");
        if (lastEventId != null) {
            o.putHeader("Last-Event-ID", lastEventId);
        }
        // the handlers are set on the connection's event loop as the response arrives (see OnEventLoop)
        int[] status = new int[1];
        SseClient sse = OnEventLoop.open(vertx, () -> client.request(o).compose(req -> req.send())
                .map(response -> {
                    status[0] = response.statusCode();
                    return status[0] == 200 ? new SseClient(client, response) : null;
                }));
        if (sse == null) {
            client.close();
            throw new IllegalStateException("Expected 200 for " + uri + ", found " + status[0]);
        }
        return sse;
    }

    private synchronized void onChunk(String text) {
        pending.append(text);
        int end;
        while ((end = pending.indexOf("\n\n")) >= 0) {
            String block = pending.substring(0, end);
            pending.delete(0, end + 2);
            String id = null;
            String event = "message";
            StringBuilder data = new StringBuilder();
            boolean any = false;
            for (String line : block.split("\n")) {
                if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data.append(line.substring(6));
                    any = true;
                }
            }
            if (!any) {
                continue; // a comment (keep-alive) or retry:
            }
            try {
                events.add(new Event(id, event, JSON.readTree(data.toString())));
            } catch (Exception e) {
                throw new IllegalStateException("Expected JSON data, found " + data, e);
            }
        }
    }

    synchronized List<Event> events() {
        return List.copyOf(events);
    }

    /** The execution events (not snapshot, end or error). */
    List<Event> executionEvents() {
        return events().stream().filter(e -> e.id() != null).toList();
    }

    boolean ended() {
        return ended;
    }

    void pause() {
        response.pause();
    }

    void resume() {
        response.resume();
    }

    @Override
    public void close() {
        client.close();
    }
}
