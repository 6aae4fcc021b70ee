package io.harmonia.stream;

import static io.harmonia.api.ApiAccess.createWorkflow;
import static io.harmonia.api.ApiAccess.start;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The stream of all executions: filters, resume, refusals. */
@QuarkusTest
class GlobalStreamTest {

    @Inject
    Vertx vertx;

    private static String failing(String name) {
        return createWorkflow("{'name': '" + name + "', 'tasks': ["
                + "{'id': 'a', 'component': 'core', 'action': 'echo', 'input': {'n': '${input.n}'}},"
                + "{'id': 'b', 'component': 'core', 'action': 'fail', 'depends_on': ['a'],"
                + " 'input': {'error_type': 'CLIENT_ERROR', 'message': 'boom'}}]}");
    }

    private static String succeeding(String name) {
        return createWorkflow("{'name': '" + name + "', 'tasks': ["
                + "{'id': 'a', 'component': 'core', 'action': 'echo', 'input': {'n': '${input.n}'}},"
                + "{'id': 'b', 'component': 'core', 'action': 'echo', 'depends_on': ['a']}]}");
    }

    private static List<JsonNode> of(List<JsonNode> messages, String executionId) {
        return messages.stream().filter(m -> executionId.equals(m.path("execution_id").asText())).toList();
    }

    @Test
    void filtersByWorkflowTypeAndStatus() throws Exception {
        String wfA = failing("global-a");
        String wfB = failing("global-b");
        String wfC = succeeding("global-c");
        try (WsClient failuresOfA = WsClient.connect(vertx,
                     "/ws/executions?workflow_id=" + wfA + "&types=task_failed,workflow_failed");
             WsClient failedStatus = WsClient.connect(vertx, "/ws/executions?status=failed");
             WsClient allOfA = WsClient.connect(vertx, "/ws/executions?workflow_id=" + wfA);
             SseClient completionsOfC = SseClient.open(vertx,
                     "/events/executions?workflow_id=" + wfC + "&types=workflow_completed", null)) {
            String a = start(wfA, "{'n': 1}");
            String b = start(wfB, "{'n': 2}");
            String c = start(wfC, "{'n': 3}");
            for (String id : List.of(a, b, c)) {
                Streams.awaitFinished(id);
            }
            int storedA = Streams.storedCount(a);
            await().atMost(WsClient.timeout()).until(() -> allOfA.events().size() >= storedA);
            await().atMost(WsClient.timeout()).until(() -> failuresOfA.events().size() >= 2
                    && of(failedStatus.events(), b).size() >= 1 && !completionsOfC.executionEvents().isEmpty());

            // workflow_id + types
            List<JsonNode> failures = failuresOfA.events();
            assertThat(failures).extracting(m -> m.path("type").asText())
                    .containsExactly("task_failed", "workflow_failed");
            assertThat(failures).allSatisfy(m -> assertThat(m.path("execution_id").asText()).isEqualTo(a));
            assertThat(failures.get(0).path("task_id").asText()).isEqualTo("b");
            assertThat(failures.get(0).path("error").path("type").asText()).isEqualTo("CLIENT_ERROR");
            assertThat(failures.get(0).path("error").path("message").asText()).isEqualTo("boom");
            assertThat(failures.get(1).path("error").path("task_id").asText()).isEqualTo("b");

            // status: the execution's status after the event
            assertThat(failedStatus.events()).allSatisfy(m -> assertThat(m.path("status").asText())
                    .isEqualTo("FAILED"));
            assertThat(of(failedStatus.events(), a)).extracting(m -> m.path("type").asText())
                    .containsExactly("workflow_failed");
            assertThat(of(failedStatus.events(), b)).extracting(m -> m.path("type").asText())
                    .containsExactly("workflow_failed");
            assertThat(of(failedStatus.events(), c)).isEmpty();

            // workflow_id alone: every event of that workflow's execution, in order
            assertThat(allOfA.events()).allSatisfy(m -> assertThat(m.path("workflow_id").asText()).isEqualTo(wfA));
            Streams.assertConsecutive(Streams.sequences(allOfA.events()), 1, storedA);

            // SSE: ids are <execution_id>/<sequence>
            List<SseClient.Event> completions = completionsOfC.executionEvents();
            assertThat(completions).hasSize(1);
            assertThat(completions.get(0).event()).isEqualTo("workflow_completed");
            assertThat(completions.get(0).id()).isEqualTo(c + "/" + Streams.storedCount(c));
        }
    }

    @Test
    void resumesAfterAnEventIdFromTheStoreThenGoesLive() throws Exception {
        String wf = succeeding("global-resume");
        String first = start(wf, "{'n': 1}");
        Streams.awaitFinished(first);
        String second = start(wf, "{'n': 2}");
        Streams.awaitFinished(second);
        String third;
        try (WsClient ws = WsClient.connect(vertx, "/ws/executions?workflow_id=" + wf + "&after=" + first + "/1")) {
            third = start(wf, "{'n': 3}");
            Streams.awaitFinished(third);
            int n1 = Streams.storedCount(first);
            int n2 = Streams.storedCount(second);
            int n3 = Streams.storedCount(third);
            await().atMost(WsClient.timeout()).until(() -> ws.events().size() >= n1 - 1 + n2 + n3);
            List<JsonNode> events = ws.events();
            assertThat(events).hasSize(n1 - 1 + n2 + n3);
            // the first execution's events after 1, then the second's, from the store; then the third's, live
            List<String> ids = new ArrayList<>();
            events.forEach(m -> ids.add(m.path("execution_id").asText() + "/" + m.path("sequence").asInt()));
            List<String> expected = new ArrayList<>();
            for (int i = 2; i <= n1; i++) {
                expected.add(first + "/" + i);
            }
            for (int i = 1; i <= n2; i++) {
                expected.add(second + "/" + i);
            }
            for (int i = 1; i <= n3; i++) {
                expected.add(third + "/" + i);
            }
            assertThat(ids).isEqualTo(expected);
        }
        // SSE: the same with Last-Event-ID (the second's last event): the third's events from the store, then live
        try (SseClient sse = SseClient.open(vertx, "/events/executions?workflow_id=" + wf,
                second + "/" + Streams.storedCount(second))) {
            String fourth = start(wf, "{'n': 4}");
            Streams.awaitFinished(fourth);
            int n3 = Streams.storedCount(third);
            int n4 = Streams.storedCount(fourth);
            await().atMost(WsClient.timeout()).until(() -> sse.executionEvents().size() >= n3 + n4);
            List<String> expected = new ArrayList<>();
            for (int i = 1; i <= n3; i++) {
                expected.add(third + "/" + i);
            }
            for (int i = 1; i <= n4; i++) {
                expected.add(fourth + "/" + i);
            }
            assertThat(sse.executionEvents().stream().map(SseClient.Event::id).toList()).isEqualTo(expected);
        }
    }

    @Test
    void badFiltersAreRefusedWith400() {
        for (String query : List.of("?types=task_failed,nope", "?workflow_id=12", "?status=DONE",
                "?after=" + UUID.randomUUID() + "/1", "?after=nope")) {
            given().accept("text/event-stream").get("/events/executions" + query).then().statusCode(400)
                    .contentType("application/problem+json").body("status", equalTo(400))
                    .body("detail", containsString("expected"));
            assertThatThrownBy(() -> WsClient.connect(vertx, "/ws/executions" + query)).satisfies(e -> {
                assertThat(e.getCause()).isInstanceOf(UpgradeRejectedException.class);
                assertThat(((UpgradeRejectedException) e.getCause()).getStatus()).isEqualTo(400);
            });
        }
        given().get("/events/executions?status=DONE").then().statusCode(400)
                .body("errors[0].pointer", equalTo("/query/status"))
                .body("detail", equalTo("expected execution statuses among [PENDING, RUNNING, PAUSED, COMPLETED,"
                        + " FAILED, CANCELED], found 'DONE'"));
        given().get("/events/executions?workflow_id=12").then().statusCode(400)
                .body("errors[0].pointer", equalTo("/query/workflow_id"));
    }

    @Inject
    io.harmonia.eventstore.PgEventStore store;

    @Inject
    io.vertx.mutiny.sqlclient.Pool pool;

    @Test
    void eventsAppendedByAnotherReplicaAreStreamedFromTheFeed() throws Exception {
        // another replica appends to the shared store: no local append wakes the follower, polling finds it
        String workflowId = UUID.randomUUID().toString();
        String executionId = UUID.randomUUID().toString();
        java.time.Instant now = java.time.Instant.now();
        try (WsClient ws = WsClient.connect(vertx, "/ws/executions?workflow_id=" + workflowId)) {
            pool.withTransaction(conn -> store.append(conn, io.harmonia.eventstore.StreamIds.execution(executionId), 0,
                            List.of(new io.harmonia.domain.execution.ExecutionEvent.ExecutionStarted(executionId,
                                            workflowId, 1, com.fasterxml.jackson.databind.node.NullNode.getInstance(),
                                            4, null, now),
                                    new io.harmonia.domain.execution.ExecutionEvent.ExecutionPaused("elsewhere", now))))
                    .await().atMost(java.time.Duration.ofSeconds(10));
            await().atMost(WsClient.timeout()).until(() -> ws.events().size() >= 2);
            assertThat(ws.events()).extracting(m -> m.path("type").asText() + "/" + m.path("status").asText())
                    .containsExactly("workflow_started/RUNNING", "workflow_paused/PAUSED");
            assertThat(ws.events().get(1).path("reason").asText()).isEqualTo("elsewhere");
        }
    }
}
