package io.harmonia.runtime;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An execution evicted from memory while it sleeps is loaded again from its latest checkpoint (taken while the sleep
 * was running) and the events after it when its time comes: it finishes on time, once, and nothing that ran before
 * the checkpoint starts again.
 */
@QuarkusTest
@TestProfile(DurableTimersTest.FastScan.class)
class CheckpointWakeTest {

    @Inject
    ExecutionEngine engine;

    @Test
    void aSleepingExecutionWakesFromItsCheckpointAndFinishesOnce() {
        String workflow = given().contentType(ContentType.JSON).body(("{'name': 'nap-after-checkpoint', 'tasks': ["
                + "{'id': 'a', 'component': 'core', 'action': 'echo', 'checkpoint': true},"
                + "{'id': 'nap', 'component': 'core', 'action': 'sleep', 'input': {'ms': 4000}, 'depends_on': ['a']},"
                + "{'id': 'after', 'component': 'core', 'action': 'echo', 'depends_on': ['nap']}]}")
                .replace('\'', '"')).post("/api/workflows").then().statusCode(201).extract().path("workflow_id");
        Instant startedAt = Instant.now();
        String id = given().contentType(ContentType.JSON).body("{\"workflow_id\": \"" + workflow + "\", \"input\": {}}")
                .post("/api/executions").then().statusCode(201).extract().path("execution_id");

        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50))
                .until(() -> !engine.holds(id) && "RUNNING".equals(status(id)));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> "COMPLETED".equals(status(id)));

        assertThat(Duration.between(startedAt, Instant.now())).isGreaterThanOrEqualTo(Duration.ofMillis(4000));
        List<Map<String, Object>> events = given().get("/api/executions/" + id + "/events?limit=1000").then()
                .statusCode(200).extract().jsonPath().getList("items");
        List<Object> types = events.stream().map(e -> e.get("type")).toList();
        assertThat(types).as("the checkpoint was taken while nap ran").containsSubsequence("CheckpointCreated",
                "TaskCompleted", "ExecutionCompleted");
        assertThat(types.indexOf("CheckpointCreated")).isLessThan(types.lastIndexOf("TaskStarted"));
        assertThat(events).filteredOn(e -> "TaskStarted".equals(e.get("type")))
                .extracting(e -> (Object) ((Map<?, ?>) e.get("data")).get("task_id"))
                .containsExactly("a", "nap", "after");
    }

    private static String status(String id) {
        return given().get("/api/executions/" + id).then().statusCode(200).extract().path("status");
    }
}
