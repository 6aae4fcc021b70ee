package io.harmonia.api;

import static io.harmonia.api.Api.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A definition reads back as it was written; every version stays readable. */
@QuarkusTest
class WorkflowReadBackTest {

    @Test
    void aDefinitionReadsBackAsItWasWritten() {
        // given a definition with seconds, a retry count, a task output description and an emoji
        String id = Api.createWorkflow("""
                { 'name': 'launch \uD83D\uDE80', 'description': 'caf\u00e9',
                  'tasks': [ { 'id': 'a', 'component': 'core', 'action': 'echo', 'timeout': 30, 'retry': 2,
                               'input': { 'greeting': 'hello \uD83D\uDE80' },
                               'output': { 'greeting': 'the greeting, unchanged' } } ] }""");
        // when it is read back
        byte[] raw = given().get("/api/workflows/" + id).then().statusCode(200).extract().asByteArray();
        String text = new String(raw, StandardCharsets.UTF_8);
        // then the fields are the ones written, and the emoji is UTF-8, not an escape
        assertThat(text).contains("launch \uD83D\uDE80").doesNotContain("\\uD83D").doesNotContain("\\ud83d");
        given().get("/api/workflows/" + id).then()
                .body("name", equalTo("launch \uD83D\uDE80")).body("description", equalTo("caf\u00e9"))
                .body("tasks[0].timeout", equalTo(30)).body("tasks[0].retry", equalTo(2))
                .body("tasks[0].output.greeting", equalTo("the greeting, unchanged"))
                .body("tasks[0].input.greeting", equalTo("hello \uD83D\uDE80"));
    }

    @Test
    void whatGetReturnsCanBePutBack() {
        String id = Api.createWorkflow(WorkflowApiTest.SEED);
        String body = given().get("/api/workflows/" + id).then().statusCode(200).extract().asString();
        given().contentType(ContentType.JSON).body(body).put("/api/workflows/" + id).then().statusCode(200)
                .body("version", equalTo(2)).body("workflow_id", equalTo(id));
    }

    @Test
    void aStringVersionIsRefusedNotDropped() {
        given().contentType(ContentType.JSON).body(json("""
                { 'name': 'w', 'version': '1.0.0', 'tasks': [ { 'id': 'a', 'component': 'core', 'action': 'echo' } ] }"""))
                .post("/api/workflows").then().statusCode(422).contentType("application/problem+json")
                .body("errors[0].pointer", equalTo("/version"))
                .body("errors[0].detail", containsString("1.0.0"));
    }

    @Test
    void everyVersionCanBeReadAndListed() {
        String id = Api.createWorkflow(WorkflowApiTest.SEED);
        given().contentType(ContentType.JSON).body(json(WorkflowApiTest.SEED.replace("Example workflow", "second")))
                .put("/api/workflows/" + id).then().statusCode(200);
        given().get("/api/workflows/" + id + "?version=1").then().statusCode(200)
                .body("version", equalTo(1)).body("description", equalTo("Example workflow"));
        given().get("/api/workflows/" + id + "?version=2").then().statusCode(200)
                .body("version", equalTo(2)).body("description", equalTo("second"));
        given().get("/api/workflows/" + id + "?version=7").then().statusCode(404)
                .contentType("application/problem+json")
                .body("detail", containsString(id)).body("detail", containsString("1, 2"));
        given().get("/api/workflows/" + id + "?version=x").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].pointer", equalTo("/query/version"));
        given().get("/api/workflows/" + id + "/versions").then().statusCode(200)
                .body("workflow_id", equalTo(id)).body("items", hasSize(2))
                .body("items.version", hasItem(1)).body("items[1].description", equalTo("second"));
    }
}
