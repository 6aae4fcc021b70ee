package io.harmonia.stream;

import static io.harmonia.api.ApiAccess.createWorkflow;
import static io.harmonia.api.ApiAccess.start;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** A state change from outside reaches the live stream of its execution as {@code state_updated}. */
@QuarkusTest
class StateStreamTest {

    @Inject
    Vertx vertx;

    @Test
    void aStateUpdateIsStreamedLiveAsStateUpdated() throws Exception {
        String wf = createWorkflow("""
                {'name': 'state-streamed', 'tasks': [
                  {'id': 'wait', 'component': 'core', 'action': 'sleep', 'input': {'ms': 60000}}]}""");
        String id = start(wf, "{}");
        try (SseClient sse = SseClient.open(vertx, "/events/executions/" + id, null)) {
            await().atMost(WsClient.timeout()).until(() -> !sse.events().isEmpty()); // the snapshot: now it is live
            int sequence = given().contentType("application/merge-patch+json").body("{\"stage\": \"review\"}")
                    .patch("/api/state/" + id).then().statusCode(200).extract().path("sequence");
            await().atMost(WsClient.timeout()).until(() -> sse.executionEvents().stream()
                    .anyMatch(e -> "state_updated".equals(e.event())));
            SseClient.Event updated = sse.executionEvents().stream()
                    .filter(e -> "state_updated".equals(e.event())).findFirst().orElseThrow();
            assertThat(updated.id()).isEqualTo(String.valueOf(sequence));
            assertThat(updated.data().path("type").asText()).isEqualTo("state_updated");
            assertThat(updated.data().path("execution_id").asText()).isEqualTo(id);
            assertThat(updated.data().path("status").asText()).isEqualTo("RUNNING");
            assertThat(updated.data().path("task_id").isMissingNode()).as("written from outside, by no task").isTrue();
            assertThat(updated.data().path("data").path("patch").path("stage").asText()).isEqualTo("review");
            given().post("/api/executions/" + id + "/cancel").then().statusCode(200);
            await().atMost(WsClient.timeout()).until(sse::ended);
        }
    }
}
