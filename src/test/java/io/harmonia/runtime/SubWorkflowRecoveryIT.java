package io.harmonia.runtime;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harmonia.domain.HistoryFixtures;
import io.harmonia.domain.HistoryFixtures.Fixture;
import io.harmonia.domain.HistoryFixtures.Stored;
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
 * kill -9 the packaged service while a parent waits for a sub-workflow whose core.sleep is in flight: after the
 * restart the child goes on, the parent's workflow.run attempt is kept (not started again), exactly one child was
 * started for it, and the parent completes with the child's output. With {@code -Dharmonia.histories.record=true}
 * the child's history (an ExecutionStarted with a parent) joins the corpus as {@code child.json}.
 */
class SubWorkflowRecoveryIT {
    static final ObjectMapper JSON = new ObjectMapper();
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

    static String create(String definition) {
        return given().contentType(ContentType.JSON).body(definition).post("/api/workflows").then()
                .statusCode(201).extract().path("workflow_id");
    }

    @Test
    void aParentWaitingForAChildSurvivesAKillMinus9WithOneChild() throws Exception {
        Path log = new File("target/subworkflow-recovery-it.log").toPath();
        service = launch(log);
        String childDefinition = """
                {"name": "napping child", "output": {"total": "${tasks.echo.output.n}"}, "tasks": [
                  {"id": "nap", "component": "core", "action": "sleep", "input": {"ms": 4000}},
                  {"id": "echo", "component": "core", "action": "echo", "input": {"n": "${input.n * 3}"},
                   "depends_on": ["nap"]}]}""";
        String child = create(childDefinition);
        String parent = create("""
                {"name": "waiting parent", "output": {"result": "${tasks.after.output.v}"}, "tasks": [
                  {"id": "sub", "component": "workflow", "action": "run",
                   "input": {"workflow_id": "%s", "input": {"n": "${input.n}"}}},
                  {"id": "after", "component": "core", "action": "echo", "input": {"v": "${tasks.sub.output.total}"},
                   "depends_on": ["sub"]}]}""".formatted(child));
        String id = given().contentType(ContentType.JSON).body("{\"workflow_id\": \"" + parent
                + "\", \"input\": {\"n\": 14}}").post("/api/executions").then().statusCode(201).extract()
                .path("execution_id");
        String[] childId = new String[1];
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            childId[0] = given().get("/api/executions/" + id).then().extract()
                    .path("task_executions.sub.child_execution_id");
            return childId[0] != null && "RUNNING".equals(given().get("/api/executions/" + childId[0]).then()
                    .extract().path("task_executions.nap.status"));
        });
        service.destroyForcibly().waitFor(); // SIGKILL, with the child's sleep in flight
        service = launch(log);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> "COMPLETED"
                .equals(given().get("/api/executions/" + id).then().extract().path("status")));

        JsonPath view = given().get("/api/executions/" + id).then().extract().jsonPath();
        assertThat(view.getInt("output.result")).isEqualTo(42);
        assertThat(view.getString("task_executions.sub.child_execution_id")).isEqualTo(childId[0]);
        JsonPath events = given().get("/api/executions/" + id + "/events?limit=1000").then().statusCode(200)
                .extract().jsonPath();
        assertThat(events.getList("items.findAll { it.type == 'TaskStarted' && it.data.task_id == 'sub' }"
                + ".data.attempt", Integer.class)).as("the workflow.run attempt kept").containsExactly(1);
        List<String> children = given().get("/api/executions?parent_id=" + id).then().statusCode(200).extract()
                .jsonPath().getList("items.execution_id");
        assertThat(children).as("exactly one child started").containsExactly(childId[0]);
        given().get("/api/executions/" + childId[0]).then().body("status", equalTo("COMPLETED"))
                .body("parent.execution_id", equalTo(id)).body("parent.depth", equalTo(1));
        given().get("/api/executions/" + childId[0] + "/verify").then().statusCode(200)
                .body("result", equalTo("same"));

        if (Boolean.getBoolean("harmonia.histories.record")) {
            JsonNode page = JSON.readTree(given().get("/api/executions/" + childId[0] + "/events?limit=1000")
                    .then().extract().asString());
            List<Stored> stored = new ArrayList<>();
            for (JsonNode e : page.get("items")) {
                stored.add(new Stored(e.get("sequence").asInt(), e.get("type").asText(),
                        e.get("schema_version").asInt(), e.get("data")));
            }
            HistoryFixtures.write(new Fixture("child", "a sub-workflow (workflow.run) child whose ExecutionStarted"
                    + " names its parent; kill -9 while its core.sleep waited", child, 1,
                    JSON.readTree(childDefinition), stored));
        }
    }
}
