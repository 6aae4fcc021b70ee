package io.harmonia.runtime;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kill -9 the packaged service while a for_each of 500 core.sleep items is in flight (some done, some running, most
 * waiting): after the restart the fan-out goes on from where its events left it, and the execution completes with
 * the 500 outputs in index order; GET /verify finds every stored decision made again, the recovery included.
 */
class ForEachRecoveryIT {
    static final int N = 500;
    static EmbeddedPostgres pg;
    static int port;
    static Process service;

    @BeforeAll
    static void start() throws Exception {
        pg = EmbeddedPostgres.builder().start();
        port = ServiceProcess.freePort();
        RestAssured.baseURI = "http://localhost";
        RestAssured.port = port;
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.destroyForcibly().waitFor();
        }
        pg.close();
    }

    static Process launch(Path log) throws Exception {
        return ServiceProcess.launch(log, port, pg, Map.of());
    }

    @Test
    void aForEachOf500ItemsInFlightAtAKillMinus9CompletesWithEveryOutputInOrder() throws Exception {
        Path log = new File("target/for-each-recovery-it.log").toPath();
        service = launch(log);
        String definition = """
                {"name": "for-each-recover", "output": {"slept": "${tasks.nap.output}"}, "tasks": [
                  {"id": "nap", "component": "core", "action": "sleep", "for_each": "${input.items}",
                   "max_parallel": 25, "input": {"ms": "${item}"}}]}""";
        List<Integer> items = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            items.add(100 + (i * 37) % 150); // 100..249 ms, uneven: items finish out of order
        }
        String wf = given().contentType(ContentType.JSON).body(definition).post("/api/workflows").then()
                .statusCode(201).extract().path("workflow_id");
        String id = given().contentType(ContentType.JSON)
                .body("{\"workflow_id\": \"" + wf + "\", \"input\": {\"items\": " + items + "}}")
                .post("/api/executions").then().statusCode(201).extract().path("execution_id");
        int[] atKill = new int[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            JsonPath v = given().get("/api/executions/" + id).then().extract().jsonPath();
            Integer completed = v.get("task_executions.nap.items.completed");
            atKill[0] = completed == null ? 0 : completed;
            return atKill[0] >= 50;
        });
        service.destroyForcibly().waitFor(); // SIGKILL, with items running and most still waiting
        assertThat(atKill[0]).as("items completed when the service was killed").isLessThan(N / 2);
        service = launch(log);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> "COMPLETED"
                .equals(given().get("/api/executions/" + id).then().extract().path("status")));

        JsonPath done = given().get("/api/executions/" + id).then().statusCode(200).extract().jsonPath();
        assertThat(done.getList("output.slept.slept_ms", Integer.class)).containsExactlyElementsOf(items);
        assertThat(done.getInt("task_executions.nap.items.completed")).isEqualTo(N);
        given().get("/api/executions/" + id + "/verify").then().statusCode(200)
                .body("result", equalTo("same")).body("divergence", equalTo(null));
    }
}
