package io.harmonia.projection;

import static io.harmonia.api.ApiAccess.createWorkflow;
import static io.harmonia.api.ApiAccess.start;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.bench.CoreBenchmark;
import io.harmonia.domain.execution.ExecutionSnapshot;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.eventstore.EventCodec;
import io.harmonia.projection.executions.ExecutionLoader;
import io.harmonia.projection.executions.ExecutionProjector;
import io.harmonia.projection.executions.ExecutionReadModel;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Given an execution long enough for an automatic checkpoint (200 chained core.echo tasks: 602 events, above
 * harmonia.history.checkpoint-every-events = 500), loading it from that checkpoint gives exactly what folding every
 * event gives: the state, the projector's view (the same as the read model written live), and the engine's state
 * when it loads the finished execution again for a request.
 */
@QuarkusTest
class CheckpointLoadTest {
    static final int TASKS = 200;
    static final Duration T = Duration.ofSeconds(60);

    @Inject
    ExecutionLoader loader;

    @Inject
    ExecutionProjector projector;

    @Inject
    ExecutionReadModel readModel;

    @Test
    void anExecutionLoadedFromItsAutomaticCheckpointIsTheExecutionFoldedFromItsFirstEvent() throws Exception {
        String id = start(createWorkflow(CoreBenchmark.largeWorkflow("chain", TASKS)), "{\"n\": 4}");
        await().atMost(T).until(() -> readModel.view(id).await().atMost(T).orElseThrow()
                .path("status").asText().equals("COMPLETED"));

        JsonPath listed = given().get("/api/checkpoints?execution_id=" + id).then().statusCode(200).extract()
                .jsonPath();
        assertThat(listed.getList("items.reason")).containsExactly("every_n_events");
        int sequence = listed.getInt("items[0].sequence");
        assertThat(sequence).isBetween(500, 510);

        ExecutionState fromCheckpoint = loader.load(id, ExecutionLoader.LATEST).await().atMost(T);
        ExecutionState folded = loader.foldFrom(id, ExecutionState.initial(), ExecutionLoader.LATEST).await()
                .atMost(T);
        assertThat(fromCheckpoint.version()).isEqualTo(3L * TASKS + 3); // 602 events and the checkpoint
        assertThat(ExecutionSnapshot.of(fromCheckpoint)).isEqualTo(ExecutionSnapshot.of(folded));
        // as it was at a sequence after the checkpoint (time travel starts from the checkpoint too)
        assertThat(ExecutionSnapshot.of(loader.load(id, 550).await().atMost(T)))
                .isEqualTo(ExecutionSnapshot.of(loader.foldFrom(id, ExecutionState.initial(), 550).await().atMost(T)));
        // and before it (no checkpoint at or before 400: folded from the first event)
        assertThat(loader.load(id, 400).await().atMost(T).version()).isEqualTo(400);

        JsonNode live = readModel.view(id).await().atMost(T).orElseThrow();
        JsonNode rebuilt = projector.rebuild(id).await().atMost(T);
        assertThat(EventCodec.json().readTree(rebuilt.toString())).isEqualTo(live);

        // the engine loads the finished execution (no longer in memory) from the checkpoint to take another one
        JsonPath again = given().contentType(ContentType.JSON).body("{\"execution_id\": \"" + id + "\"}")
                .post("/api/checkpoints").then().statusCode(201).extract().jsonPath();
        assertThat(again.getInt("sequence")).isEqualTo(3 * TASKS + 3);
        assertThat(again.getList("completed_tasks")).hasSize(TASKS);
        assertThat(again.getString("workflow_status")).isEqualTo("COMPLETED");
        List<String> reasons = given().get("/api/checkpoints?execution_id=" + id).then().statusCode(200).extract()
                .jsonPath().getList("items.reason");
        assertThat(reasons).containsExactly("request", "every_n_events");
    }
}
