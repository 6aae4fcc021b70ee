package io.harmonia.api;

import static io.harmonia.api.Api.createWorkflow;
import static io.harmonia.api.Api.json;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /api/triggers}: create, read, list, update, pause, resume, delete, and every refusal as problem+json. */
@QuarkusTest
class TriggerApiTest {
    private static final String SECRET = "a-secret-of-at-least-16-chars";
    private String wf;
    @jakarta.inject.Inject
    io.vertx.mutiny.sqlclient.Pool pool;

    @BeforeEach
    void workflow() {
        wf = createWorkflow("{'name': 'triggered', 'tasks': [{'id': 'a', 'component': 'core', 'action': 'echo'}]}");
    }

    private String create(String body) {
        return given().contentType(ContentType.JSON).body(json(body)).post("/api/triggers").then().statusCode(201)
                .extract().path("trigger_id");
    }

    @Test
    void aTriggerIsCreatedReadListedUpdatedPausedResumedAndDeleted() {
        String id = create("{'name': 'orders', 'workflow_id': '" + wf + "', 'source': {'kafka': {'topic': 'orders-"
                + System.nanoTime() + "'}}, 'filter': 'event.value.total > 100',"
                + " 'input': {'order': '${event.value}'}}");
        given().get("/api/triggers/" + id).then().statusCode(200)
                .body("trigger_id", is(id)).body("status", is("ACTIVE")).body("name", is("orders"))
                .body("source.kafka.format", is("auto")).body("source.kafka.group", nullValue())
                .body("filter", is("event.value.total > 100")).body("action", is("start"))
                .body("stats.fired", is(0)).body("stats.last_fired_at", nullValue())
                .body("created_at", not(nullValue()));
        given().get("/api/triggers?workflow_id=" + wf).then().statusCode(200).body("items.trigger_id", hasItem(id));

        given().contentType(ContentType.JSON).body(json("{'name': 'orders v2', 'workflow_id': '" + wf + "',"
                        + " 'version': 1, 'source': {'kafka': {'topic': 'orders', 'format': 'cloudevent'}}}"))
                .put("/api/triggers/" + id).then().statusCode(200).body("name", is("orders v2"))
                .body("version", is(1)).body("source.kafka.format", is("cloudevent")).body("filter", nullValue());
        given().post("/api/triggers/" + id + "/pause").then().statusCode(200).body("status", is("PAUSED"));
        given().post("/api/triggers/" + id + "/pause").then().statusCode(200).body("status", is("PAUSED"));
        given().post("/api/triggers/" + id + "/resume").then().statusCode(200).body("status", is("ACTIVE"));
        given().delete("/api/triggers/" + id).then().statusCode(204);
        given().get("/api/triggers/" + id).then().statusCode(404).contentType("application/problem+json")
                .body("detail", containsString(id));
        given().post("/api/triggers/" + id + "/resume").then().statusCode(404);
        given().get("/api/triggers?workflow_id=" + wf).then().statusCode(200)
                .body("items.trigger_id", not(hasItem(id)));
    }

    @Test
    void theSecretIsWriteOnly() {
        String id = create("{'name': 'signed', 'workflow_id': '" + wf + "', 'source': {'http': {'signature':"
                + " {'secret': '" + SECRET + "'}}}}");
        String shown = given().get("/api/triggers/" + id).then().statusCode(200)
                .body("secret_set", is(true)).body("source.http.signature.header", is("X-Harmonia-Signature"))
                .body("source.http.signature.algorithm", is("hmac-sha256")).extract().asString();
        org.assertj.core.api.Assertions.assertThat(shown).doesNotContain(SECRET);
        // nor in the trigger's events (which are what the relay publishes to Kafka)
        String events = pool.preparedQuery("select string_agg(payload::text, ' ') from events where stream_id = $1")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of("trigger-" + id)).await().indefinitely().iterator().next()
                .getString(0);
        org.assertj.core.api.Assertions.assertThat(events).contains("signed").doesNotContain(SECRET);
        // an update that leaves the secret out keeps it
        given().contentType(ContentType.JSON).body(json("{'name': 'signed 2', 'workflow_id': '" + wf + "',"
                        + " 'source': {'http': {'signature': {'header': 'X-Sig'}}}}"))
                .put("/api/triggers/" + id).then().statusCode(200).body("secret_set", is(true))
                .body("source.http.signature.header", is("X-Sig"));
        // unsigned: the key is erased
        given().contentType(ContentType.JSON).body(json("{'name': 'open', 'workflow_id': '" + wf + "',"
                        + " 'source': {'http': {}}}"))
                .put("/api/triggers/" + id).then().statusCode(200).body("secret_set", is(false));
    }

    @Test
    void aSignedTriggerNeedsASecret() {
        given().contentType(ContentType.JSON).body(json("{'name': 'signed', 'workflow_id': '" + wf + "',"
                        + " 'source': {'http': {'signature': {}}}}"))
                .post("/api/triggers").then().statusCode(422).contentType("application/problem+json")
                .body("errors.pointer", containsInAnyOrder("/source/http/signature/secret"));
    }

    @Test
    void everyProblemOfADefinitionIsReportedAtOnce() {
        given().contentType(ContentType.JSON).body(json("{'name': 'bad', 'workflow_id': 'not-a-uuid',"
                        + " 'source': {'kafka': {'topic': 'a topic', 'format': 'avro'}}, 'filter': 'input.x',"
                        + " 'idempotency_key': 'event.', 'action': {'signal': {'execution_id': 'event.value.id'}},"
                        + " 'colour': 'red'}"))
                .post("/api/triggers").then().statusCode(422).contentType("application/problem+json")
                .body("errors.pointer", containsInAnyOrder("/workflow_id", "/source/kafka/topic",
                        "/source/kafka/format", "/filter", "/idempotency_key", "/action/signal/name", "/colour"));
    }

    @Test
    void anUnknownWorkflowOrVersionIsNamed() {
        String missing = "00000000-0000-7000-8000-000000000001";
        given().contentType(ContentType.JSON).body(json("{'name': 't', 'workflow_id': '" + missing + "',"
                        + " 'source': {'http': {}}}"))
                .post("/api/triggers").then().statusCode(422)
                .body("errors[0].pointer", is("/workflow_id")).body("errors[0].detail", containsString(missing));
        given().contentType(ContentType.JSON).body(json("{'name': 't', 'workflow_id': '" + wf + "', 'version': 9,"
                        + " 'source': {'http': {}}}"))
                .post("/api/triggers").then().statusCode(422).body("errors[0].pointer", is("/version"));
    }

    @Test
    void unknownTriggersAre404AndBadBodies400or422() {
        given().get("/api/triggers/nope").then().statusCode(404).contentType("application/problem+json");
        given().get("/api/triggers/00000000-0000-7000-8000-000000000002").then().statusCode(404);
        given().contentType(ContentType.JSON).body("{").post("/api/triggers").then().statusCode(400)
                .contentType("application/problem+json");
        given().contentType(ContentType.JSON).body("[]").post("/api/triggers").then().statusCode(422)
                .body("errors[0].pointer", is(""));
        given().get("/api/triggers?workflow_id=x").then().statusCode(400);
    }
}
