package io.harmonia.runtime;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.harmonia.domain.HistoryFixtures;
import io.harmonia.domain.HistoryFixtures.Fixture;
import io.harmonia.domain.HistoryFixtures.Stored;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kill -9 the packaged service while an HTTP task is in flight and a core.sleep waits: after the restart the HTTP
 * attempt, lost with the process, is started again (a Recover that keeps the sleep), and GET /verify finds that
 * today's engine makes every stored decision again, the recovery included. With
 * {@code -Dharmonia.histories.record=true} the history joins the corpus as {@code recover.json}.
 */
class HistoryRecoveryIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static EmbeddedPostgres pg;
    static int port;
    static Process service;
    static HttpServer slow;

    @BeforeAll
    static void start() throws Exception {
        pg = EmbeddedPostgres.builder().start();
        port = ServiceProcess.freePort();
        RestAssured.baseURI = "http://localhost";
        RestAssured.port = port;
        slow = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        slow.setExecutor(Executors.newCachedThreadPool());
        slow.createContext("/slow", exchange -> {
            try {
                Thread.sleep(4000); // long enough to be in flight at the crash
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "{\"ok\": true}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        slow.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.destroyForcibly().waitFor();
        }
        slow.stop(0);
        pg.close();
    }

    static Process launch(Path log) throws Exception {
        return ServiceProcess.launch(log, port, pg, Map.of("HARMONIA_HTTP_DESTINATIONS_ALLOW_LOOPBACK", "true"));
    }

    @Test
    void aRecoveryAfterAKillMinus9IsDecidedTheSameByTodaysEngine() throws Exception {
        Path log = new File("target/history-recovery-it.log").toPath();
        service = launch(log);
        String definition = """
                {"name": "history-recover", "tasks": [
                  {"id": "call", "component": "http", "action": "request",
                   "input": {"method": "GET", "url": "http://127.0.0.1:%d/slow"}},
                  {"id": "nap", "component": "core", "action": "sleep", "input": {"ms": 3000}},
                  {"id": "after", "component": "core", "action": "echo", "depends_on": ["call", "nap"]}]}"""
                .formatted(slow.getAddress().getPort());
        String wf = given().contentType(ContentType.JSON).body(definition).post("/api/workflows").then()
                .statusCode(201).extract().path("workflow_id");
        String id = given().contentType(ContentType.JSON).body("{\"workflow_id\": \"" + wf + "\", \"input\": {}}")
                .post("/api/executions").then().statusCode(201).extract().path("execution_id");
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            JsonPath v = given().get("/api/executions/" + id).then().extract().jsonPath();
            return "RUNNING".equals(v.getString("task_executions.call.status"))
                    && "RUNNING".equals(v.getString("task_executions.nap.status"));
        });
        service.destroyForcibly().waitFor(); // SIGKILL, with the HTTP call in flight
        service = launch(log);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> "COMPLETED"
                .equals(given().get("/api/executions/" + id).then().extract().path("status")));

        JsonPath events = given().get("/api/executions/" + id + "/events?limit=1000").then().statusCode(200)
                .extract().jsonPath();
        assertThat(events.getList("items.findAll { it.type == 'TaskStarted' && it.data.task_id == 'call' }"
                + ".data.attempt", Integer.class)).as("the lost HTTP attempt started again").containsExactly(1, 2);
        assertThat(events.getList("items.findAll { it.type == 'TaskStarted' && it.data.task_id == 'nap' }"
                + ".data.attempt", Integer.class)).as("the sleep kept").containsExactly(1);
        given().get("/api/executions/" + id + "/verify").then().statusCode(200)
                .body("result", equalTo("same")).body("divergence", equalTo(null));

        if (Boolean.getBoolean("harmonia.histories.record")) {
            JsonNode page = JSON.readTree(given().get("/api/executions/" + id + "/events?limit=1000").then()
                    .extract().asString());
            List<Stored> stored = new ArrayList<>();
            for (JsonNode e : page.get("items")) {
                stored.add(new Stored(e.get("sequence").asInt(), e.get("type").asText(),
                        e.get("schema_version").asInt(), e.get("data")));
            }
            HistoryFixtures.write(new Fixture("recover", "kill -9 with an HTTP call in flight and a core.sleep"
                    + " waiting: after the restart a Recover starts the HTTP attempt again and keeps the sleep",
                    wf, 1, JSON.readTree(definition), stored));
        }
    }
}
