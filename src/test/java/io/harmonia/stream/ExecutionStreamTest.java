package io.harmonia.stream;

import static io.harmonia.api.ApiAccess.createWorkflow;
import static io.harmonia.api.ApiAccess.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Live streams of one execution over real WebSocket and SSE connections. */
@QuarkusTest
class ExecutionStreamTest {

    @Inject
    Vertx vertx;

    private static String sleepyWorkflow(String name, int steps, int ms) {
        StringBuilder tasks = new StringBuilder("{'id': 's0', 'component': 'core', 'action': 'echo',"
                + " 'input': {'n': '${input.n}'}}");
        for (int i = 1; i <= steps; i++) {
            tasks.append(", {'id': 's").append(i).append("', 'component': 'core', 'action': 'sleep',"
                    + " 'input': {'ms': ").append(ms).append("}, 'depends_on': ['s").append(i - 1).append("']}");
        }
        return createWorkflow("{'name': '" + name + "', 'tasks': [" + tasks + "]}");
    }

    @Test
    void webSocketSendsTheSnapshotThenEveryEventInOrderAndClosesWith1000() throws Exception {
        String wf = sleepyWorkflow("ws-order", 3, 150);
        String id = start(wf, "{'n': 1}");
        try (WsClient ws = WsClient.connect(vertx, "/ws/executions/" + id)) {
            await().atMost(WsClient.timeout()).until(ws::closed);
            assertThat(ws.closeCode()).isEqualTo((short) 1000);
            assertThat(ws.closeReason()).isEqualTo("execution COMPLETED");
            List<JsonNode> messages = ws.messages();
            JsonNode snapshot = messages.get(0);
            assertThat(snapshot.path("type").asText()).isEqualTo("snapshot");
            assertThat(snapshot.path("execution").path("execution_id").asText()).isEqualTo(id);
            int version = snapshot.path("sequence").asInt();
            assertThat(snapshot.path("execution").path("version").asInt()).isEqualTo(version);
            List<JsonNode> events = ws.events();
            List<String> stored = Streams.storedTypes(id);
            Streams.assertConsecutive(Streams.sequences(events), version + 1, stored.size());
            for (JsonNode e : events) {
                int seq = e.path("sequence").asInt();
                assertThat(e.path("type").asText()).isEqualTo(Streams.streamName(stored.get(seq - 1)));
                assertThat(e.path("execution_id").asText()).isEqualTo(id);
                assertThat(e.path("workflow_id").asText()).isEqualTo(wf);
                assertThat(e.path("time").asText()).isNotBlank();
                assertThat(e.has("data")).isTrue();
            }
            JsonNode completed = events.stream().filter(e -> "task_completed".equals(e.path("type").asText())
                    && "s3".equals(e.path("task_id").asText())).findFirst()
                    .orElseThrow(() -> new AssertionError("no task_completed of s3 among " + events));
            assertThat(completed.path("attempt").asInt()).isEqualTo(1);
            assertThat(completed.path("task_status").asText()).isEqualTo("COMPLETED");
            assertThat(completed.path("status").asText()).isEqualTo("RUNNING");
            assertThat(completed.path("output").path("slept_ms").asInt()).isEqualTo(150);
            JsonNode last = events.get(events.size() - 1);
            assertThat(last.path("type").asText()).isEqualTo("workflow_completed");
            assertThat(last.path("status").asText()).isEqualTo("COMPLETED");
        }
    }

    @Test
    void aFinishedExecutionSendsItsWholeHistoryThenClosesCleanly() throws Exception {
        String wf = sleepyWorkflow("finished-history", 1, 10);
        String id = start(wf, "{'n': 2}");
        Streams.awaitFinished(id);
        int stored = Streams.storedCount(id);
        try (WsClient ws = WsClient.connect(vertx, "/ws/executions/" + id)) {
            await().atMost(WsClient.timeout()).until(ws::closed);
            assertThat(ws.closeCode()).isEqualTo((short) 1000);
            assertThat(ws.messages().get(0).path("type").asText())
                    .as("a replay of history starts with the first event, no snapshot").isEqualTo("workflow_started");
            assertThat(ws.messages()).hasSize(stored);
            Streams.assertConsecutive(Streams.sequences(ws.events()), 1, stored);
            assertThat(ws.events().get(0).path("type").asText()).isEqualTo("workflow_started");
        }
        try (SseClient sse = SseClient.open(vertx, "/events/executions/" + id, null)) {
            await().atMost(WsClient.timeout()).until(sse::ended);
            List<SseClient.Event> events = sse.events();
            assertThat(events.get(0).event()).isEqualTo("workflow_started");
            assertThat(events.get(0).id()).isEqualTo("1");
            List<SseClient.Event> history = sse.executionEvents();
            assertThat(history.stream().map(SseClient.Event::id).toList())
                    .isEqualTo(java.util.stream.IntStream.rangeClosed(1, stored).mapToObj(String::valueOf).toList());
            assertThat(history.stream().map(SseClient.Event::event).toList())
                    .isEqualTo(Streams.storedTypes(id).stream().map(Streams::streamName).toList());
            SseClient.Event end = events.get(events.size() - 1);
            assertThat(end.event()).isEqualTo("end");
            assertThat(end.data().path("status").asText()).isEqualTo("COMPLETED");
        }
    }

    @Test
    void sseStreamsLiveEventsInOrderWithTheSequenceAsId() throws Exception {
        String wf = sleepyWorkflow("sse-order", 3, 120);
        String id = start(wf, "{'n': 3}");
        try (SseClient sse = SseClient.open(vertx, "/events/executions/" + id, null)) {
            await().atMost(WsClient.timeout()).until(sse::ended);
            JsonNode snapshot = sse.events().get(0).data();
            assertThat(snapshot.path("type").asText()).isEqualTo("snapshot");
            int version = snapshot.path("sequence").asInt();
            List<SseClient.Event> events = sse.executionEvents();
            Streams.assertConsecutive(events.stream().map(e -> Integer.parseInt(e.id())).toList(), version + 1,
                    Streams.storedCount(id));
            for (SseClient.Event e : events) {
                assertThat(e.data().path("sequence").asText()).isEqualTo(e.id());
                assertThat(e.data().path("type").asText()).isEqualTo(e.event());
            }
        }
    }

    @Test
    void aWebSocketResumesWithAfterWithoutGapOrDuplicate() throws Exception {
        String wf = sleepyWorkflow("ws-resume", 6, 150);
        String id = start(wf, "{'n': 4}");
        List<JsonNode> first;
        try (WsClient ws = WsClient.connect(vertx, "/ws/executions/" + id)) {
            int version = ws.messagesAfterSnapshotVersion();
            await().atMost(WsClient.timeout()).until(() -> ws.events().size() >= 3);
            ws.close();
            first = ws.events();
            assertThat(first.get(0).path("sequence").asInt()).isEqualTo(version + 1);
        }
        int lastSeen = first.get(first.size() - 1).path("sequence").asInt();
        // more events happen while disconnected
        await().atMost(WsClient.timeout()).until(() -> Streams.storedCount(id) > lastSeen + 2);
        try (WsClient ws = WsClient.connect(vertx, "/ws/executions/" + id + "?after=" + lastSeen)) {
            await().atMost(WsClient.timeout()).until(ws::closed);
            assertThat(ws.closeCode()).isEqualTo((short) 1000);
            assertThat(ws.messages().get(0).path("type").asText()).as("resuming: no snapshot, the next event")
                    .isNotEqualTo("snapshot");
            List<JsonNode> second = ws.events();
            assertThat(second.get(0).path("sequence").asInt()).isEqualTo(lastSeen + 1);
            List<Integer> all = new java.util.ArrayList<>(Streams.sequences(first));
            all.addAll(Streams.sequences(second));
            Streams.assertConsecutive(all, first.get(0).path("sequence").asInt(), Streams.storedCount(id));
        }
    }

    @Test
    void sseResumesWithLastEventIdWithoutGapOrDuplicate() throws Exception {
        String wf = sleepyWorkflow("sse-resume", 6, 150);
        String id = start(wf, "{'n': 5}");
        List<SseClient.Event> first;
        try (SseClient sse = SseClient.open(vertx, "/events/executions/" + id + "?after=0", null)) {
            await().atMost(WsClient.timeout()).until(() -> sse.executionEvents().size() >= 4);
            first = sse.executionEvents();
        }
        String lastId = first.get(first.size() - 1).id();
        int lastSeen = Integer.parseInt(lastId);
        await().atMost(WsClient.timeout()).until(() -> Streams.storedCount(id) > lastSeen + 2);
        // a browser reconnects to the same URL (?after=0) with Last-Event-ID, which wins
        try (SseClient sse = SseClient.open(vertx, "/events/executions/" + id + "?after=0", lastId)) {
            await().atMost(WsClient.timeout()).until(sse::ended);
            List<SseClient.Event> second = sse.executionEvents();
            assertThat(second.get(0).id()).isEqualTo(String.valueOf(lastSeen + 1));
            List<Integer> all = new java.util.ArrayList<>();
            first.forEach(e -> all.add(Integer.parseInt(e.id())));
            second.forEach(e -> all.add(Integer.parseInt(e.id())));
            Streams.assertConsecutive(all, 1, Streams.storedCount(id));
        }
    }

    @Test
    void anUnknownExecutionIsRefusedWith404BeforeTheUpgradeAndBeforeStreaming() {
        String unknown = java.util.UUID.randomUUID().toString();
        for (String path : List.of("/ws/executions/" + unknown, "/ws/executions/not-a-uuid")) {
            assertThatThrownBy(() -> WsClient.connect(vertx, path)).satisfies(e -> {
                Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
                assertThat(cause).isInstanceOf(io.vertx.core.http.UpgradeRejectedException.class);
                assertThat(((io.vertx.core.http.UpgradeRejectedException) cause).getStatus()).isEqualTo(404);
            });
        }
        given().accept("text/event-stream").get("/events/executions/" + unknown).then().statusCode(404)
                .contentType("application/problem+json")
                .body("status", equalTo(404))
                .body("detail", containsString(unknown));
    }

    @Test
    void badParametersAreRefusedWith400() {
        String wf = sleepyWorkflow("bad-params", 1, 10);
        String id = start(wf, "{'n': 6}");
        Streams.awaitFinished(id);
        int stored = Streams.storedCount(id);
        for (String query : List.of("?after=abc", "?after=-1", "?after=" + (stored + 1), "?types=task_exploded")) {
            given().accept("text/event-stream").get("/events/executions/" + id + query).then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("errors[0].pointer", org.hamcrest.Matchers.startsWith("/query/"));
            assertThatThrownBy(() -> WsClient.connect(vertx, "/ws/executions/" + id + query)).satisfies(e -> {
                var rejected = (io.vertx.core.http.UpgradeRejectedException) e.getCause();
                assertThat(rejected.getStatus()).isEqualTo(400);
                assertThat(rejected.getHeaders().get("Harmonia-Problem")).startsWith("expected");
            });
        }
        given().accept("text/event-stream").header("Last-Event-ID", "x").get("/events/executions/" + id).then()
                .statusCode(400).body("errors[0].pointer", equalTo("/headers/Last-Event-ID"))
                .body("detail", containsString("found 'x'"));
        given().accept("text/event-stream").get("/events/executions/" + id + "?types=task_exploded").then()
                .body("detail", containsString("expected event types among [workflow_started"))
                .body("detail", containsString("found 'task_exploded'"));
    }
}
