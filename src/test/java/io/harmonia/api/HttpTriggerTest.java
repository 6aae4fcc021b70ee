package io.harmonia.api;

import static io.harmonia.api.Api.awaitFinished;
import static io.harmonia.api.Api.createWorkflow;
import static io.harmonia.api.Api.json;
import static io.harmonia.api.Api.start;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import io.harmonia.application.TriggerSignatures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code POST /api/triggers/{id}/fire}: signatures, filter, idempotency, and the signal action. */
@QuarkusTest
class HttpTriggerTest {
    private static final String SECRET = "payment-provider-shared-secret";
    private String wf;

    @BeforeEach
    void workflow() {
        wf = createWorkflow("{'name': 'on call', 'tasks': [{'id': 'a', 'component': 'core', 'action': 'echo',"
                + " 'input': {'order': '${input.order}'}}]}");
    }

    private String trigger(String rest) {
        return given().contentType(ContentType.JSON).body(json("{'name': 'callback', 'workflow_id': '" + wf + "',"
                + rest + "}")).post("/api/triggers").then().statusCode(201).extract().path("trigger_id");
    }

    @Test
    void aSignedFireStartsAnExecution_aWrongOrMissingSignatureIs401() {
        String id = trigger("'source': {'http': {'signature': {'secret': '" + SECRET + "'}}},"
                + " 'input': {'order': '${event.body.order}'}");
        String body = "{\"order\": 42}";
        String executionId = given().contentType(ContentType.JSON).body(body)
                .header("X-Harmonia-Signature", TriggerSignatures.sign(SECRET, body.getBytes(StandardCharsets.UTF_8)))
                .post("/api/triggers/" + id + "/fire").then().statusCode(201).body("outcome", is("started"))
                .body("again", is(false)).body("execution.workflow_id", is(wf))
                .header("Location", containsString("/api/executions/")).extract().path("execution_id");
        assertThat(awaitFinished(executionId).getInt("task_executions.a.output.order")).isEqualTo(42);

        String wrong = given().contentType(ContentType.JSON).body(body)
                .header("X-Harmonia-Signature", TriggerSignatures.sign("another-secret-entirely", body.getBytes(
                        StandardCharsets.UTF_8)))
                .post("/api/triggers/" + id + "/fire").then().statusCode(401).contentType("application/problem+json")
                .body("detail", containsString("does not match")).extract().asString();
        assertThat(wrong).doesNotContain(SECRET);
        // signed over another body
        given().contentType(ContentType.JSON).body("{\"order\": 43}")
                .header("X-Harmonia-Signature", TriggerSignatures.sign(SECRET, body.getBytes(StandardCharsets.UTF_8)))
                .post("/api/triggers/" + id + "/fire").then().statusCode(401);
        given().contentType(ContentType.JSON).body(body).post("/api/triggers/" + id + "/fire").then().statusCode(401)
                .body("detail", containsString("X-Harmonia-Signature"));
        given().contentType(ContentType.JSON).body(body).header("X-Harmonia-Signature", "sha256=zz")
                .post("/api/triggers/" + id + "/fire").then().statusCode(401);
        given().get("/api/triggers/" + id).then().body("stats.fired", is(1)).body("stats.last_fired_at",
                not(nullValue()));
    }

    @Test
    void aFilterThatIsFalseIgnoresTheCall() {
        String id = trigger("'source': {'http': {}}, 'filter': 'event.body.status == \\\"paid\\\"'");
        given().contentType(ContentType.JSON).body("{\"status\": \"pending\"}").post("/api/triggers/" + id + "/fire")
                .then().statusCode(202).body("outcome", is("ignored")).body("execution_id", nullValue());
        given().contentType(ContentType.JSON).body("{\"status\": \"paid\", \"order\": 1}")
                .post("/api/triggers/" + id + "/fire").then().statusCode(201).body("outcome", is("started"));
        given().get("/api/triggers/" + id).then().body("stats.fired", is(1)).body("stats.ignored", is(1));
    }

    @Test
    void theSameIdempotencyKeyGivesTheSameExecution() {
        String id = trigger("'source': {'http': {}}");
        String key = UUID.randomUUID().toString();
        String first = given().contentType(ContentType.JSON).header("Idempotency-Key", key).body("{\"order\": 1}")
                .post("/api/triggers/" + id + "/fire").then().statusCode(201).extract().path("execution_id");
        given().contentType(ContentType.JSON).header("Idempotency-Key", key).body("{\"order\": 1}")
                .post("/api/triggers/" + id + "/fire").then().statusCode(200).body("execution_id", is(first))
                .body("again", is(true));
        // an expression key: the order number
        String byOrder = trigger("'source': {'http': {}}, 'idempotency_key': 'event.body.order'");
        String a = given().contentType(ContentType.JSON).body("{\"order\": 7}")
                .post("/api/triggers/" + byOrder + "/fire").then().statusCode(201).extract().path("execution_id");
        given().contentType(ContentType.JSON).body("{\"order\": 7, \"retry\": true}")
                .post("/api/triggers/" + byOrder + "/fire").then().statusCode(200).body("execution_id", is(a));
        // without a key every call is new
        String x = given().contentType(ContentType.JSON).body("{\"order\": 1}").post("/api/triggers/" + id + "/fire")
                .then().statusCode(201).extract().path("execution_id");
        assertThat(x).isNotEqualTo(first);
    }

    @Test
    void aSignalActionDeliversToTheWaitingExecution() {
        String waiting = createWorkflow("{'name': 'await payment', 'tasks': ["
                + "{'id': 'pay', 'component': 'core', 'action': 'wait_for_signal', 'input': {'name': 'paid',"
                + " 'timeout_ms': 60000}},"
                + "{'id': 'done', 'component': 'core', 'action': 'echo', 'input': {'amount':"
                + " '${tasks.pay.output.amount}'}, 'depends_on': ['pay']}]}");
        String executionId = start(waiting, "{}");
        String id = given().contentType(ContentType.JSON).body(json("{'name': 'payment callback', 'workflow_id': '"
                        + waiting + "', 'source': {'http': {'signature': {'secret': '" + SECRET + "'}}},"
                        + " 'action': {'signal': {'execution_id': 'event.body.reference', 'name': 'paid',"
                        + " 'payload': {'amount': '${event.body.amount}'}}}}"))
                .post("/api/triggers").then().statusCode(201).extract().path("trigger_id");
        String body = "{\"reference\": \"" + executionId + "\", \"amount\": 120}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        given().contentType(ContentType.JSON).body(body).header("X-Harmonia-Signature",
                        TriggerSignatures.sign(SECRET, bytes))
                .post("/api/triggers/" + id + "/fire").then().statusCode(202).body("outcome", is("signaled"))
                .body("execution_id", is(executionId)).body("signal", is("paid")).body("recorded", is(true));
        var done = awaitFinished(executionId);
        assertThat(done.getString("status")).isEqualTo("COMPLETED");
        assertThat(done.getInt("task_executions.done.output.amount")).isEqualTo(120);
        // the provider calls again: the signal is not recorded twice; a finished execution is 409
        given().contentType(ContentType.JSON).body(body).header("X-Harmonia-Signature",
                        TriggerSignatures.sign(SECRET, bytes))
                .post("/api/triggers/" + id + "/fire").then().statusCode(409).contentType("application/problem+json");
        // an unknown execution is 404
        String unknown = "{\"reference\": \"" + UUID.randomUUID() + "\", \"amount\": 1}";
        given().contentType(ContentType.JSON).body(unknown).header("X-Harmonia-Signature",
                        TriggerSignatures.sign(SECRET, unknown.getBytes(StandardCharsets.UTF_8)))
                .post("/api/triggers/" + id + "/fire").then().statusCode(404);
    }

    @Test
    void refusals() {
        String id = trigger("'source': {'http': {}}, 'input': {'order': '${event.body.missing.deeper}'}");
        given().contentType(ContentType.JSON).body("{}").post("/api/triggers/" + id + "/fire").then().statusCode(422)
                .contentType("application/problem+json").body("detail", containsString(id));
        given().contentType(ContentType.JSON).body("{not json").post("/api/triggers/" + id + "/fire").then()
                .statusCode(422).body("errors[0].detail", containsString("expected a JSON body"));
        given().post("/api/triggers/" + id + "/pause").then().statusCode(200);
        given().contentType(ContentType.JSON).body("{}").post("/api/triggers/" + id + "/fire").then().statusCode(409)
                .body("detail", containsString("paused"));
        given().contentType(ContentType.JSON).body("{}").post("/api/triggers/" + UUID.randomUUID() + "/fire").then()
                .statusCode(404);
        String kafka = trigger("'source': {'kafka': {'topic': 'not-callable'}}");
        given().contentType(ContentType.JSON).body("{}").post("/api/triggers/" + kafka + "/fire").then()
                .statusCode(409).body("detail", containsString("Kafka trigger"));
        given().delete("/api/triggers/" + kafka).then().statusCode(204);
        String big = "{\"x\": \"" + "a".repeat(1_100_000) + "\"}";
        String open = trigger("'source': {'http': {}}");
        given().contentType(ContentType.JSON).body(big).post("/api/triggers/" + open + "/fire").then()
                .statusCode(413).contentType("application/problem+json")
                .body("detail", containsString("harmonia.triggers.max-fire-body-bytes"));
    }
}
