package io.harmonia.stream;

import static io.harmonia.api.ApiAccess.createWorkflow;
import static io.harmonia.api.ApiAccess.start;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A client that stops reading cannot hurt the service: with a buffer of 20 messages it is cut off with a reason
 * naming where to resume, and resuming from there loses and repeats nothing.
 */
@QuarkusTest
@TestProfile(SmallBuffersProfile.class)
class SlowConsumerTest {

    @Inject
    Vertx vertx;

    /**
     * A flood: executions whose task inputs are 2 KiB each, a few hundred KiB in all: much more than the 8 KiB socket
     * send buffer and the 4 KiB receive buffer of the test clients hold, little for the Kafka relay to publish.
     */
    private static List<String> flood(String wf, int executions) {
        List<String> ids = new ArrayList<>();
        String pad = "x".repeat(2 * 1024);
        for (int i = 0; i < executions; i++) {
            ids.add(start(wf, "{'pad': '" + pad + "'}"));
        }
        return ids;
    }

    private static String paddedWorkflow(String name) {
        StringBuilder tasks = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            tasks.append(i == 0 ? "" : ", ").append("{'id': 't").append(i)
                    .append("', 'component': 'core', 'action': 'sleep', 'input': {'ms': 1, 'pad': '${input.pad}'}}");
        }
        return createWorkflow("{'name': '" + name + "', 'tasks': [" + tasks + "]}");
    }

    private static double cutOffs() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("harmonia_streams_cut_off_total")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    @Test
    void aWebSocketClientThatStopsReadingIsCutOffAndResumesWithoutGapOrDuplicate() throws Exception {
        String wf = paddedWorkflow("slow-ws");
        double before = cutOffs();
        HttpClientOptions smallWindow = new HttpClientOptions().setReceiveBufferSize(4096);
        List<JsonNode> received = new ArrayList<>();
        String resumeFrom;
        List<String> ids;
        try (WsClient slow = WsClient.connect(vertx, "/ws/executions?workflow_id=" + wf, smallWindow)) {
            slow.pause();
            ids = flood(wf, 40);
            await().atMost(WsClient.timeout()).until(() -> cutOffs() > before);
            slow.resume(); // it now reads what was written before the cut, then the close frame
            await().atMost(WsClient.timeout()).until(slow::closed);
            assertThat(slow.closeCode()).isEqualTo((short) 4000);
            assertThat(slow.closeReason()).startsWith("too slow: fell 20 events behind; reconnect with ?after=");
            resumeFrom = slow.closeReason().substring(slow.closeReason().indexOf("?after=") + 7);
            received.addAll(slow.events());
        }
        JsonNode last = received.get(received.size() - 1);
        assertThat(resumeFrom).isEqualTo(last.path("execution_id").asText() + "/" + last.path("sequence").asInt());

        for (String id : ids) {
            Streams.awaitFinished(id);
        }
        Map<String, Integer> stored = new HashMap<>();
        int total = 0;
        for (String id : ids) {
            stored.put(id, Streams.storedCount(id));
            total += stored.get(id);
        }
        int expectedTotal = total;
        try (WsClient again = WsClient.connect(vertx, "/ws/executions?workflow_id=" + wf + "&after=" + resumeFrom)) {
            await().atMost(WsClient.timeout()).until(() -> received.size() + again.events().size() >= expectedTotal);
            received.addAll(again.events());
        }
        // every event of every execution exactly once, in order per execution
        Map<String, List<Integer>> byExecution = new LinkedHashMap<>();
        for (JsonNode m : received) {
            byExecution.computeIfAbsent(m.path("execution_id").asText(), k -> new ArrayList<>())
                    .add(m.path("sequence").asInt());
        }
        assertThat(byExecution.keySet()).containsExactlyInAnyOrderElementsOf(ids);
        for (String id : ids) {
            Streams.assertConsecutive(byExecution.get(id), 1, stored.get(id));
        }
    }

    @Test
    void anSseClientThatStopsReadingGetsAFinalErrorEvent() throws Exception {
        String wf = paddedWorkflow("slow-sse");
        double before = cutOffs();
        try (SseClient slow = SseClient.open(vertx, "/events/executions?workflow_id=" + wf, null,
                new HttpClientOptions().setReceiveBufferSize(4096))) {
            slow.pause();
            flood(wf, 60);
            await().atMost(WsClient.timeout()).until(() -> cutOffs() > before);
            slow.resume();
            await().atMost(WsClient.timeout()).until(slow::ended);
            List<SseClient.Event> events = slow.events();
            SseClient.Event error = events.get(events.size() - 1);
            assertThat(error.event()).isEqualTo("error");
            assertThat(error.data().path("code").asText()).isEqualTo("too_slow");
            String lastId = slow.executionEvents().get(slow.executionEvents().size() - 1).id();
            assertThat(error.data().path("last_event_id").asText()).isEqualTo(lastId);
            assertThat(error.data().path("reason").asText())
                    .isEqualTo("too slow: fell 20 events behind; reconnect with Last-Event-ID: " + lastId);
        }
        // the service is fine: a new execution still completes and streams
        String id = start(paddedWorkflow("after-slow"), "{'pad': 'small'}");
        try (WsClient ws = WsClient.connect(vertx, "/ws/executions/" + id)) {
            await().atMost(WsClient.timeout()).until(ws::closed);
            assertThat(ws.closeCode()).isEqualTo((short) 1000);
        }
    }

    @Test
    void aClientThatNeverReadsAgainIsDisconnectedAfterTheCloseTimeout() throws Exception {
        String wf = paddedWorkflow("stuck-ws");
        double before = cutOffs();
        HttpClientOptions smallWindow = new HttpClientOptions().setReceiveBufferSize(4096);
        try (WsClient stuck = WsClient.connect(vertx, "/ws/executions?workflow_id=" + wf, smallWindow)) {
            stuck.pause();
            await().atMost(WsClient.timeout()).until(() -> openStreams() == 1);
            flood(wf, 40);
            await().atMost(WsClient.timeout()).until(() -> cutOffs() > before);
            // it never reads its close frame: the server drops the connection (close-timeout is 5 s here)
            await().atMost(WsClient.timeout()).until(() -> openStreams() == 0);
        }
    }

    @Inject
    io.quarkus.websockets.next.OpenConnections connections;

    private long openStreams() {
        return connections.listAll().stream().filter(c -> c.handshakeRequest().path().equals("/ws/executions"))
                .count();
    }
}
