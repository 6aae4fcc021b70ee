package io.harmonia.runtime;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Timers are durable: an execution that only waits (a core.sleep, a retry delay) with nothing near is evicted from
 * memory, and its owner takes it up again when its time comes near, so it finishes on time, once, with no attempt
 * started again. A short horizon and a fast scan make that visible within seconds.
 */
@QuarkusTest
@TestProfile(DurableTimersTest.FastScan.class)
class DurableTimersTest {

    public static class FastScan implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("harmonia.runtime.scan-interval", "200ms", "harmonia.runtime.timer-horizon", "1s",
                    "harmonia.runtime.evict-idle-after", "0s");
        }
    }

    @Inject
    ExecutionEngine engine;

    @Test
    void aSleepingExecutionLeavesMemoryAndWakesOnTimeOnce() {
        String workflow = create("{'name': 'nap', 'tasks': ["
                + "{'id': 'nap', 'component': 'core', 'action': 'sleep', 'input': {'ms': 4000}},"
                + "{'id': 'after', 'component': 'core', 'action': 'echo', 'depends_on': ['nap']}]}");
        Instant startedAt = Instant.now();
        String id = start(workflow);

        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50))
                .until(() -> !engine.holds(id) && "RUNNING".equals(status(id)));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> "COMPLETED".equals(status(id)));

        assertThat(Duration.between(startedAt, Instant.now())).isGreaterThanOrEqualTo(Duration.ofMillis(4000));
        List<Map<String, Object>> events = events(id);
        assertThat(events).filteredOn(e -> "TaskStarted".equals(e.get("type")))
                .extracting(e -> (Object) ((Map<?, ?>) e.get("data")).get("task_id")).containsExactly("nap", "after");
        assertThat(events).filteredOn(e -> "TaskCompleted".equals(e.get("type"))).hasSize(2);
    }

    @Test
    void anExecutionWaitingForARetryLeavesMemoryAndRetriesOnce() {
        String workflow = create("{'name': 'flaky', 'tasks': [{'id': 'f', 'component': 'core', 'action': 'fail',"
                + " 'input': {'error_type': 'SERVER_ERROR', 'retriable': true},"
                + " 'retry': {'max_attempts': 2, 'initial_delay_ms': 3000}}]}");
        String id = start(workflow);

        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50)).until(() -> !engine.holds(id));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> "FAILED".equals(status(id)));

        List<Map<String, Object>> events = events(id);
        assertThat(events).filteredOn(e -> "TaskStarted".equals(e.get("type"))).hasSize(2);
        assertThat(events).filteredOn(e -> "TaskRetryScheduled".equals(e.get("type"))).hasSize(1);
    }

    private static String create(String body) {
        return given().contentType(ContentType.JSON).body(body.replace('\'', '"')).post("/api/workflows")
                .then().statusCode(201).extract().path("workflow_id");
    }

    private static String start(String workflowId) {
        return given().contentType(ContentType.JSON).body("{\"workflow_id\": \"" + workflowId + "\", \"input\": {}}")
                .post("/api/executions").then().statusCode(201).extract().path("execution_id");
    }

    private static String status(String id) {
        return given().get("/api/executions/" + id).then().statusCode(200).extract().path("status");
    }

    private static List<Map<String, Object>> events(String id) {
        JsonPath page = given().get("/api/executions/" + id + "/events?limit=1000").then().statusCode(200)
                .extract().jsonPath();
        return page.getList("items");
    }
}
