package io.harmonia.runtime;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Postgres stops for longer than any retry budget in the middle of a run, while task results, retry timers and
 * task deadlines fall due: requests get 503 problem+json with Retry-After at once, readiness is DOWN and liveness
 * UP, and once Postgres is back every execution finishes without a restart of the service, no completed task
 * running again.
 */
class PostgresOutageIT {
    static final Duration OUTAGE = Duration.ofSeconds(15);
    static Path dataDir;
    static int pgPort;
    static EmbeddedPostgres pg;
    static int port;
    static Process service;

    @BeforeAll
    static void database() throws Exception {
        dataDir = Files.createTempDirectory("harmonia-outage-pg");
        pgPort = ServiceProcess.freePort();
        pg = startPostgres();
        port = ServiceProcess.freePort();
    }

    static EmbeddedPostgres startPostgres() throws Exception {
        return EmbeddedPostgres.builder().setPort(pgPort).setDataDirectory(dataDir).setCleanDataDirectory(false)
                .setServerConfig("synchronous_commit", "on").start();
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

    @Test
    void everyExecutionFinishesAfterAnOutageLongerThanEveryRetryBudgetWithoutARestart() throws Exception {
        Path log = Path.of("target/postgres-outage-it.log");
        Files.deleteIfExists(log);
        service = ServiceProcess.launch(log, port, "postgresql://localhost:" + pgPort + "/postgres",
                "jdbc:postgresql://localhost:" + pgPort + "/postgres", "postgres", "postgres",
                Map.of("HARMONIA_RUNTIME_SCAN_INTERVAL", "2s",
                        "HARMONIA_RUNTIME_IDLE_BEFORE_TAKE_UP", "5s"));
        String naps = workflow("""
                {"name": "naps", "tasks": [
                  {"id": "first", "component": "core", "action": "echo", "input": {"ms": "${input.ms}"}},
                  {"id": "nap", "component": "core", "action": "sleep", "input": {"ms": "${input.ms}"},
                   "depends_on": ["first"]},
                  {"id": "last", "component": "core", "action": "echo", "depends_on": ["nap"],
                   "input": {"n": "${input.n}"}}]}""");
        String retrying = workflow("""
                {"name": "retry-across-outage", "tasks": [
                  {"id": "flaky", "component": "core", "action": "fail", "input": {"error_type": "SERVER_ERROR"},
                   "retry": {"max_attempts": 2, "initial_delay_ms": 3000, "jitter": false}}]}""");
        String slow = workflow("""
                {"name": "deadline-in-outage", "tasks": [
                  {"id": "slow", "component": "core", "action": "sleep", "input": {"ms": 600000},
                   "timeout_ms": 4000}]}""");
        List<String> napping = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            // results fall due before, during and after the outage
            napping.add(start(naps, "{\"n\": " + i + ", \"ms\": " + (1000 + i * 300) + "}"));
        }
        List<String> retries = new ArrayList<>();
        List<String> deadlines = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            retries.add(start(retrying, "{}"));
            deadlines.add(start(slow, "{}"));
        }

        long logBefore = Files.size(log);
        pg.close(); // Postgres stops
        long outageStarted = System.nanoTime();

        Response refused = given().port(port).contentType(ContentType.JSON)
                .body("{\"workflow_id\": \"" + naps + "\", \"input\": {\"n\": 1, \"ms\": 1}}")
                .post("/api/executions");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.header("Retry-After")).isEqualTo("5");
        assertThat(refused.jsonPath().getString("type")).endsWith("/unavailable");
        assertThat(refused.time()).as("refused at once, ms").isLessThan(2000);
        Response read = given().port(port).get("/api/executions/" + napping.get(0));
        assertThat(read.statusCode()).isEqualTo(503);
        assertThat(read.header("Retry-After")).isNotNull();
        Response pause = given().port(port).post("/api/executions/" + napping.get(59) + "/pause");
        assertThat(pause.statusCode()).isEqualTo(503);
        assertThat(pause.time()).as("pause fails fast, ms").isLessThan(2000);
        Response ready = given().port(port).get("/q/health/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body().asString()).contains("Postgres event store");
        Response live = given().port(port).get("/q/health/live");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.time()).isLessThan(1000);

        // keep Postgres down for longer than any retry budget while results, retries and deadlines fall due
        await().atMost(OUTAGE.plusSeconds(5)).pollInterval(Duration.ofMillis(500))
                .until(() -> System.nanoTime() - outageStarted >= OUTAGE.toNanos());
        assertThat(given().port(port).get("/q/health/ready").body().asString()).contains("waiting_commands");
        pg = startPostgres(); // Postgres is back; the service is NOT restarted

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> napping.stream().allMatch(id -> "COMPLETED".equals(status(id))));
        for (String id : retries) {
            await().atMost(Duration.ofSeconds(30)).until(() -> "FAILED".equals(status(id)));
            assertThat(view(id).getInt("task_executions.flaky.attempts")).as("the retry after the outage ran")
                    .isEqualTo(2);
        }
        for (String id : deadlines) {
            await().atMost(Duration.ofSeconds(30)).until(() -> "FAILED".equals(status(id)));
            assertThat(view(id).getString("error.type")).isEqualTo("TIMEOUT");
        }
        for (String id : napping) {
            JsonPath events = given().port(port).get("/api/executions/" + id + "/events?limit=1000").then()
                    .statusCode(200).extract().jsonPath();
            List<String> completed = events.getList("items.findAll { it.type == 'TaskCompleted' }.data.task_id");
            assertThat(completed).as("execution %s: no completed task ran again", id)
                    .containsExactly("first", "nap", "last");
            assertThat(events.getList("items.findAll { it.type == 'TaskStarted' }.data.attempt", Integer.class))
                    .as("execution %s: every task started once (the service drove it throughout)", id)
                    .containsExactly(1, 1, 1);
            assertThat(view(id).getInt("task_executions.last.output.n")).isEqualTo(napping.indexOf(id));
        }
        assertThat(given().port(port).get("/q/health/ready").statusCode()).isEqualTo(200);

        String outageLog = Files.readString(log).substring((int) logBefore);
        long stackLines = outageLog.lines().filter(l -> l.startsWith("\tat ")).count();
        assertThat(stackLines).as("stack trace lines logged during and after the outage:%n%s", outageLog)
                .isLessThan(40);
        assertThat(outageLog).contains("Postgres cannot be reached").contains("Postgres is reachable again");
    }

    static String workflow(String body) {
        return given().port(port).contentType(ContentType.JSON).body(body).post("/api/workflows").then()
                .statusCode(201).extract().path("workflow_id");
    }

    static String start(String workflowId, String input) {
        return given().port(port).contentType(ContentType.JSON)
                .body("{\"workflow_id\": \"" + workflowId + "\", \"input\": " + input + "}")
                .post("/api/executions").then().statusCode(201).extract().path("execution_id");
    }

    static String status(String id) {
        return given().port(port).get("/api/executions/" + id).then().extract().path("status");
    }

    static JsonPath view(String id) {
        return given().port(port).get("/api/executions/" + id).then().extract().jsonPath();
    }
}
