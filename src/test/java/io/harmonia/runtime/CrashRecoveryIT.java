package io.harmonia.runtime;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
 * kill -9 the packaged service in the middle of many executions, start it again: every execution finishes, no
 * completed task runs again, and a task that was running at the crash runs again as a new attempt.
 */
class CrashRecoveryIT {
    static EmbeddedPostgres pg;
    static String reactiveUrl;
    static String jdbcUrl;
    static int port;
    static Process service;

    @BeforeAll
    static void database() throws Exception {
        String external = System.getenv("HARMONIA_DATASOURCE_URL");
        if (external != null && !external.isBlank()) {
            java.net.URI uri = java.net.URI.create(external);
            String hostPortDb = uri.getHost() + ":" + (uri.getPort() < 0 ? 5432 : uri.getPort()) + uri.getPath();
            reactiveUrl = "postgresql://" + hostPortDb;
            jdbcUrl = "jdbc:postgresql://" + hostPortDb;
        } else {
            pg = EmbeddedPostgres.builder().start();
            reactiveUrl = "postgresql://localhost:" + pg.getPort() + "/postgres";
            jdbcUrl = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
        }
        port = ServiceProcess.freePort();
        RestAssured.baseURI = "http://localhost";
        RestAssured.port = port;
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.destroyForcibly().waitFor();
        }
        if (pg != null) {
            pg.close();
        }
    }

    static Process launch(Path log) throws Exception {
        String user = System.getenv("HARMONIA_DATASOURCE_URL") == null ? "postgres"
                : java.net.URI.create(System.getenv("HARMONIA_DATASOURCE_URL")).getUserInfo();
        return ServiceProcess.launch(log, port, reactiveUrl, jdbcUrl, user == null ? "postgres" : user.split(":")[0],
                user != null && user.contains(":") ? user.split(":", 2)[1] : "postgres", Map.of());
    }

    @Test
    void everyExecutionFinishesAfterAKillMinus9AndNoCompletedTaskRunsAgain() throws Exception {
        Path log = new File("target/crash-recovery-it.log").toPath();
        service = launch(log);
        String wf = given().contentType(ContentType.JSON).body("""
                {"name": "crash", "tasks": [
                  {"id": "first", "component": "core", "action": "echo", "input": {"n": "${input.n}"}},
                  {"id": "nap", "component": "core", "action": "sleep", "input": {"ms": 1500}, "depends_on": ["first"]},
                  {"id": "last", "component": "core", "action": "echo", "depends_on": ["nap"],
                   "input": {"n": "${tasks.first.output.n}"}}]}""")
                .post("/api/workflows").then().statusCode(201).extract().path("workflow_id");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            ids.add(given().contentType(ContentType.JSON)
                    .body("{\"workflow_id\": \"" + wf + "\", \"input\": {\"n\": " + i + "}}")
                    .post("/api/executions").then().statusCode(201).extract().path("execution_id"));
        }
        // a retry that is waiting at the crash, and a deadline that passes after it: both are durable timers
        String retrying = given().contentType(ContentType.JSON).body("""
                {"name": "retry-across-crash", "tasks": [
                  {"id": "flaky", "component": "core", "action": "fail", "input": {"error_type": "SERVER_ERROR"},
                   "retry": {"max_attempts": 2, "initial_delay_ms": 2500, "jitter": false}}]}""")
                .post("/api/workflows").then().statusCode(201).extract().path("workflow_id");
        List<String> retries = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            retries.add(given().contentType(ContentType.JSON)
                    .body("{\"workflow_id\": \"" + retrying + "\", \"input\": {}}")
                    .post("/api/executions").then().statusCode(201).extract().path("execution_id"));
        }
        // crash while the naps are running
        await().atMost(Duration.ofSeconds(20)).until(() -> given().get("/api/executions/" + ids.get(ids.size() - 1))
                .then().extract().path("task_executions.nap.status").equals("RUNNING"));
        service.destroyForcibly().waitFor(); // SIGKILL
        service = launch(log);

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> ids.stream()
                .allMatch(id -> "COMPLETED".equals(given().get("/api/executions/" + id).then().extract()
                        .path("status"))));
        for (String id : retries) {
            await().atMost(Duration.ofSeconds(30)).until(() -> "FAILED".equals(given().get("/api/executions/" + id)
                    .then().extract().path("status")));
            JsonPath view = given().get("/api/executions/" + id).then().extract().jsonPath();
            assertThat(view.getInt("task_executions.flaky.attempts")).as("the retry after the crash ran").isEqualTo(2);
        }
        for (String id : ids) {
            JsonPath events = given().get("/api/executions/" + id + "/events?limit=1000").then().statusCode(200)
                    .extract().jsonPath();
            List<String> completed = events.getList("items.findAll { it.type == 'TaskCompleted' }.data.task_id");
            assertThat(completed).as("execution %s", id).containsExactly("first", "nap", "last");
            // a sleep is a durable timer: the naps running at the crash were not started again, and still slept
            // their full 1.5 s from their first start
            List<Integer> napAttempts = events.getList(
                    "items.findAll { it.type == 'TaskStarted' && it.data.task_id == 'nap' }.data.attempt");
            assertThat(napAttempts).as("execution %s: nap attempts", id).containsExactly(1);
            java.time.Instant napStarted = java.time.Instant.parse(events.getString(
                    "items.find { it.type == 'TaskStarted' && it.data.task_id == 'nap' }.occurred_at"));
            java.time.Instant napDone = java.time.Instant.parse(events.getString(
                    "items.find { it.type == 'TaskCompleted' && it.data.task_id == 'nap' }.occurred_at"));
            assertThat(Duration.between(napStarted, napDone)).as("execution %s: nap length", id)
                    .isGreaterThanOrEqualTo(Duration.ofMillis(1500));
            JsonPath view = given().get("/api/executions/" + id).then().extract().jsonPath();
            assertThat(view.getInt("task_executions.last.output.n")).isEqualTo(ids.indexOf(id));
        }
    }
}
