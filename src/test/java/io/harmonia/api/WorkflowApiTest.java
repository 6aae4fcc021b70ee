package io.harmonia.api;

import static io.harmonia.api.Api.json;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

@QuarkusTest
class WorkflowApiTest {

    static final String SEED = """
            { 'name': 'example_workflow', 'description': 'Example workflow',
              'input':  { 'type': 'object', 'required': ['n'], 'properties': { 'n': { 'type': 'integer' } } },
              'output': { 'result': '${tasks.task2.output.result}' },
              'tasks': [
                { 'id': 'task1', 'component': 'core', 'action': 'echo', 'input': { 'value': '${input.n}' } },
                { 'id': 'task2', 'component': 'core', 'action': 'transform',
                  'input': { 'result': '${tasks.task1.output.value * 2}' },
                  'depends_on': ['task1'], 'condition': 'input.n > 0',
                  'timeout': 30, 'retry': { 'max_attempts': 3, 'initial_delay_ms': 200, 'backoff_factor': 2 } } ] }""";

    @Test
    void createGetUpdateDeleteAWorkflow() {
        String id = given().contentType(ContentType.JSON).body(json(SEED)).post("/api/workflows")
                .then().statusCode(201).header("Location", containsString("/api/workflows/"))
                .body("version", equalTo(1)).body("name", equalTo("example_workflow"))
                .extract().path("workflow_id");
        given().get("/api/workflows/" + id).then().statusCode(200)
                .body("workflow_id", equalTo(id)).body("tasks", hasSize(2))
                .body("tasks[1].timeout", equalTo(30)).body("tasks[1].retry.max_attempts", equalTo(3));
        given().contentType(ContentType.JSON).body(json(SEED.replace("Example workflow", "v2")))
                .put("/api/workflows/" + id).then().statusCode(200).body("version", equalTo(2));
        given().get("/api/workflows/" + id).then().body("description", equalTo("v2")).body("version", equalTo(2));
        given().delete("/api/workflows/" + id).then().statusCode(204);
        given().get("/api/workflows/" + id).then().statusCode(404)
                .contentType("application/problem+json").body("detail", containsString(id));
    }

    @Test
    void listFiltersByNameAndCounts() {
        String unique = "listme_" + System.nanoTime();
        for (int i = 0; i < 3; i++) {
            Api.createWorkflow(SEED.replace("example_workflow", unique + "_" + i));
        }
        given().get("/api/workflows?filter=" + unique + "&limit=2").then().statusCode(200)
                .body("total", equalTo(3)).body("items", hasSize(2)).body("limit", equalTo(2));
        given().get("/api/workflows?filter=" + unique + "&limit=2&offset=2").then()
                .body("items", hasSize(1)).body("items[0].name", containsString(unique));
        given().get("/api/workflows").then().body("total", greaterThanOrEqualTo(3));
        given().get("/api/workflows?limit=abc").then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].pointer", equalTo("/query/limit"));
    }

    @Test
    void everyProblemIsReportedAtOnceAsProblemJson() {
        given().contentType(ContentType.JSON).body(json("""
                {'name': 'bad', 'input': {'type': 'object', 'properties': {'n': {'type': 'integr'}}},
                 'tasks': [
                  {'id': 'a', 'component': 'core', 'action': 'echo', 'depends_on': ['c']},
                  {'id': 'b', 'component': 'nope', 'action': 'x', 'depends_on': ['ghost']},
                  {'id': 'c', 'component': 'core', 'action': 'echo', 'depends_on': ['a'], 'condition': 'input.n >'}]}"""))
                .post("/api/workflows").then().statusCode(422).contentType("application/problem+json")
                .body("status", equalTo(422))
                .body("errors.pointer", hasItems("/tasks/1/component", "/tasks/1/depends_on/0",
                        "/tasks/2/condition", "/tasks/0/depends_on"))
                .body("errors.pointer", hasItem(containsString("/input")))
                .body("errors.detail", hasItem(containsString("dependency cycle")));
    }

    @Test
    void malformedJsonIsA400NotA500() {
        given().contentType(ContentType.JSON).body("{\"name\": ").post("/api/workflows")
                .then().statusCode(400).contentType("application/problem+json");
        given().get("/api/workflows/not-a-uuid").then().statusCode(404);
        given().contentType(ContentType.JSON).body(json(SEED)).put("/api/workflows/" + java.util.UUID.randomUUID())
                .then().statusCode(404);
    }
}
