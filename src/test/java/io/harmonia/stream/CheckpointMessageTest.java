package io.harmonia.stream;

import static io.harmonia.api.ApiAccess.createWorkflow;
import static io.harmonia.api.ApiAccess.start;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A checkpoint is a {@code checkpoint_created} message on an execution's live stream (a request's and a marked
 * task's alike), with its id, sequence and reason but without the snapshot (GET /api/checkpoints/{id} serves that).
 */
@QuarkusTest
class CheckpointMessageTest {

    @Inject
    Vertx vertx;

    @Test
    void aCheckpointIsACheckpointCreatedMessageWithoutItsSnapshot() throws Exception {
        String id = start(createWorkflow("""
                {'name': 'streamed-checkpoint', 'tasks': [
                  {'id': 'a', 'component': 'core', 'action': 'echo', 'checkpoint': true},
                  {'id': 'b', 'component': 'core', 'action': 'sleep', 'input': {'ms': 1000},
                   'depends_on': ['a']}]}"""),
                "{}");
        await().atMost(WsClient.timeout()).until(() -> "RUNNING".equals(given().get("/api/executions/" + id).then()
                .extract().path("task_executions.b.status")));
        String requested = given().contentType(ContentType.JSON).body("{\"execution_id\": \"" + id + "\"}")
                .post("/api/checkpoints").then().statusCode(201).extract().path("checkpoint_id");
        Streams.awaitFinished(id);

        try (WsClient ws = WsClient.connect(vertx, "/ws/executions/" + id)) {
            await().atMost(WsClient.timeout()).until(ws::closed);
            List<JsonNode> checkpoints = ws.events().stream()
                    .filter(e -> "checkpoint_created".equals(e.path("type").asText())).toList();
            assertThat(checkpoints).hasSize(2);
            assertThat(checkpoints.get(0).path("data").path("reason").asText()).isEqualTo("task:a");
            JsonNode last = checkpoints.get(1);
            assertThat(last.path("checkpoint_id").asText()).isEqualTo(requested);
            assertThat(last.path("data").path("checkpoint_id").asText()).isEqualTo(requested);
            assertThat(last.path("data").has("snapshot")).as("the snapshot is left out").isFalse();
            assertThat(last.path("execution_id").asText()).isEqualTo(id);
        }
    }
}
