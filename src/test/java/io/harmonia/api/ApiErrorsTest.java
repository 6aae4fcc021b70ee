package io.harmonia.api;

import static io.harmonia.api.Api.createWorkflow;
import static io.harmonia.api.Api.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.harmonia.application.IdempotencySweep;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

/** Errors the README promises: problem+json with a message for users, never a 500, type and status in step. */
@QuarkusTest
class ApiErrorsTest {
    @Inject
    Pool pool;
    @Inject
    IdempotencySweep sweep;

    static ValidatableResponse problem(ValidatableResponse r, int status, String type) {
        return r.statusCode(status).contentType("application/problem+json").body("status", equalTo(status))
                .body("type", endsWith("/" + type));
    }

    private static String workflow(String name) {
        return WorkflowApiTest.SEED.replace("example_workflow", name);
    }

    // ------------------------------------------------------------------ NUL characters and long names

    @Test
    void aNulCharacterInAWorkflowIsRefusedNamingTheField() {
        problem(given().contentType(ContentType.JSON).body(json(workflow("a\\u0000b"))).post("/api/workflows")
                .then(), 422, "validation-error").body("errors[0].pointer", equalTo("/name"))
                .body("errors[0].detail", containsString("NUL"));
        problem(given().contentType(ContentType.JSON)
                .body(json(workflow("ok")).replace("\"Example workflow\"", "\"x\\u0000\"")).post("/api/workflows")
                .then(), 422, "validation-error").body("errors[0].pointer", equalTo("/description"));
        problem(given().contentType(ContentType.JSON)
                .body(json(workflow("ok")).replace("{ \"value\"", "{ \"v\\u0000\": 1, \"value\""))
                .post("/api/workflows").then(), 422, "validation-error")
                .body("errors.pointer", hasItem("/tasks/0/input/v\u0000"));
        problem(given().contentType(ContentType.JSON)
                .body(json(workflow("ok")).replace("\"tasks\"", "\"metadata\": {\"m\": [\"\\u0000\"]}, \"tasks\""))
                .post("/api/workflows").then(), 422, "validation-error")
                .body("errors.pointer", hasItem("/metadata/m/0"));
    }

    @Test
    void aVeryLongWorkflowNameIsRefusedWithTheLimit() {
        problem(given().contentType(ContentType.JSON).body(json(workflow("n".repeat(3000)))).post("/api/workflows")
                .then(), 422, "validation-error").body("errors[0].pointer", equalTo("/name"))
                .body("errors[0].detail", containsString("200"));
    }

    @Test
    void aNulOrLongFilterIsRefused() {
        problem(given().urlEncodingEnabled(false).get("/api/workflows?filter=a%00b").then(), 400, "bad-request")
                .body("errors[0].pointer", equalTo("/query/filter"));
        problem(given().get("/api/workflows?filter=" + "f".repeat(3000)).then(), 400, "bad-request")
                .body("errors[0].pointer", equalTo("/query/filter"));
    }

    @Test
    void anExecutionInputWithNulIsStoredAndReadBack() {
        String wf = createWorkflow("{'name': 'nul_input', 'tasks': [{'id': 'a', 'component': 'core',"
                + " 'action': 'echo', 'input': {'v': '${input.s}'}}]}");
        String id = given().contentType(ContentType.JSON)
                .body("{\"workflow_id\": \"" + wf + "\", \"input\": {\"s\": \"x\\u0000y\", \"k\\u0000\": 1}}")
                .post("/api/executions").then().statusCode(201).extract().path("execution_id");
        var view = Api.awaitFinished(id);
        assertThat(view.getString("status")).isEqualTo("COMPLETED");
        assertThat(view.getString("input.s")).isEqualTo("x\u0000y");
    }

    // ------------------------------------------------------------------ schemas that recurse without end

    @Test
    void aSelfReferencingInputSchemaIsRefusedAtCreation() {
        problem(given().contentType(ContentType.JSON).body(json("{'name': 'loop', 'input': {'$ref': '#'},"
                + " 'tasks': [{'id': 'a', 'component': 'core', 'action': 'echo'}]}")).post("/api/workflows")
                .then(), 422, "validation-error").body("errors[0].pointer", equalTo("/input/$ref"))
                .body("errors[0].detail", containsString("cycle"));
        problem(given().contentType(ContentType.JSON).body(json("{'name': 'loop2', 'input': {"
                + " '$defs': {'a': {'allOf': [{'$ref': '#/$defs/b'}]}, 'b': {'anyOf': [{'$ref': '#/$defs/a'}]}},"
                + " '$ref': '#/$defs/a'}, 'tasks': [{'id': 'a', 'component': 'core', 'action': 'echo'}]}"))
                .post("/api/workflows").then(), 422, "validation-error")
                .body("errors[0].detail", containsString("cycle"));
    }

    // ------------------------------------------------------------------ entrances before JAX-RS

    @Test
    void aBodyOverTheLimitIsAProblem() throws Exception {
        // the answer comes as soon as the headers are read: a raw request that announces 11 MiB and sends none
        RawHttp.Answer answer = RawHttp.send("POST /api/workflows HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + (11 * 1024 * 1024) + "\r\n\r\n");
        assertThat(answer.status()).isEqualTo(413);
        assertThat(answer.header("content-type")).isEqualTo("application/problem+json");
        assertThat(answer.body()).contains("payload-too-large").contains("10485760");
    }

    @Test
    void aVeryLongPathIsAProblem() {
        problem(given().get("/api/workflows/" + "x".repeat(10_000)).then(), 414, "uri-too-long");
    }

    @Test
    void unknownPathsWrongMethodsAndMediaTypesAreProblems() {
        problem(given().get("/api/nothing-here").then(), 404, "not-found");
        problem(given().get("/nothing-here-either").then(), 404, "not-found");
        problem(given().delete("/api/executions").then(), 405, "method-not-allowed");
        problem(given().contentType(ContentType.TEXT).body("x").post("/api/workflows").then(), 415,
                "unsupported-media-type");
        problem(given().accept("image/png").get("/api/workflows").then(), 406, "not-acceptable");
    }

    @Test
    void malformedJsonSaysWhereWithoutLibraryInternals() {
        problem(given().contentType(ContentType.JSON).body("{\"name\": }").post("/api/workflows").then(), 400,
                "malformed-json").body("detail", containsString("line 1, column 10"))
                .body("detail", not(containsString("`"))).body("detail", not(containsString("StreamRead")));
        problem(given().contentType(ContentType.JSON).body("[".repeat(1500) + "]".repeat(1500))
                .post("/api/workflows").then(), 400, "malformed-json")
                .body("detail", containsString("nested deeper than 1000"))
                .body("detail", not(containsString("StreamRead")));
    }

    // ------------------------------------------------------------------ types and statuses agree

    @Test
    void startFieldErrorsAreValidationErrors() {
        problem(given().contentType(ContentType.JSON).body("{\"workflow_id\": 1}").post("/api/executions").then(),
                422, "validation-error").body("errors[0].pointer", equalTo("/workflow_id"));
    }

    @Test
    void pagingErrorsSayTheAllowedRange() {
        problem(given().get("/api/workflows?offset=99999999999").then(), 400, "bad-request")
                .body("detail", containsString("0 to"));
        problem(given().get("/api/executions?limit=99999999999").then(), 400, "bad-request")
                .body("detail", containsString("1 to 500"));
    }

    // ------------------------------------------------------------------ idempotency keys

    @Test
    void reusingAnIdempotencyKeyForAnotherRequestIsRefused() {
        String wf = createWorkflow(WorkflowApiTest.SEED);
        String key = "reuse-" + System.nanoTime();
        given().contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(json("{'workflow_id': '" + wf + "', 'input': {'n': 1}}")).post("/api/executions").then()
                .statusCode(201);
        problem(given().contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(json("{'workflow_id': '" + wf + "', 'input': {'n': 2}}")).post("/api/executions").then(),
                422, "validation-error").body("errors[0].pointer", equalTo("/headers/Idempotency-Key"))
                .body("detail", containsString(key));
        // the same request again is still a replay (key order in the input does not matter)
        given().contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(json("{'input': {'n': 1}, 'workflow_id': '" + wf + "'}")).post("/api/executions").then()
                .statusCode(201).header("Idempotent-Replayed", "true");
    }

    @Test
    void anExpiredIdempotencyKeyStartsANewExecutionAndIsSwept() {
        String wf = createWorkflow(WorkflowApiTest.SEED);
        String key = "expired-" + System.nanoTime();
        String swept = "swept-" + System.nanoTime();
        for (String k : List.of(key, swept)) {
            pool.preparedQuery("insert into idempotency_keys (key, execution_id, request_hash, created_at)"
                    + " values ($1, $2, 'other', now() - interval '25 hours')")
                    .execute(Tuple.of(k, UUID.randomUUID())).await().indefinitely();
        }
        String id = given().contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(json("{'workflow_id': '" + wf + "', 'input': {'n': 1}}")).post("/api/executions").then()
                .statusCode(201).header("Idempotent-Replayed", org.hamcrest.Matchers.nullValue())
                .extract().path("execution_id");
        given().contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(json("{'workflow_id': '" + wf + "', 'input': {'n': 1}}")).post("/api/executions").then()
                .statusCode(201).header("Idempotent-Replayed", "true").body("execution_id", equalTo(id));
        assertThat(sweep.sweep().await().indefinitely()).isGreaterThanOrEqualTo(1);
        assertThat(pool.preparedQuery("select count(*) from idempotency_keys where key = $1")
                .execute(Tuple.of(swept)).await().indefinitely().iterator().next().getLong(0)).isZero();
    }
}
