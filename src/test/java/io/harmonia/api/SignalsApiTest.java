package io.harmonia.api;

import static io.harmonia.api.Api.awaitFinished;
import static io.harmonia.api.Api.createWorkflow;
import static io.harmonia.api.Api.execution;
import static io.harmonia.api.Api.json;
import static io.harmonia.api.Api.start;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harmonia.domain.HistoryFixtures;
import io.harmonia.domain.HistoryFixtures.Fixture;
import io.harmonia.domain.HistoryFixtures.Stored;
import io.harmonia.eventstore.StreamIds;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Signals through the API: seed 000's approval, written with a {@code core.wait_for_signal} step and its expiration,
 * signalled before and after the wait starts, retried, refused (404, 409, 413, 422), expired (TIMEOUT taking the
 * step's {@code on_error} route), and shown in the execution's view.
 */
@QuarkusTest
class SignalsApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final boolean RECORD = Boolean.getBoolean("harmonia.histories.record");

    /**
     * Seed 000's approval: submit, wait for the 'approval' signal at most {@code input.expiration_ms}, then approved
     * or rejected by the signal's payload, or expired. {@code input.delay_ms} holds the submit step back.
     */
    static final String APPROVAL = """
            {'name': 'signal-approval', 'output': {'item': '${input.item}', 'wait': '${tasks.wait.status}'},
             'steps': [
               {'id': 'submit', 'type': 'core.sleep', 'config': {'ms': '${input.delay_ms}'},
                'transitions': [{'to': 'wait', 'automatic': true}]},
               {'id': 'wait', 'type': 'core.wait_for_signal',
                'config': {'name': 'approval', 'timeout_ms': '${input.expiration_ms}'},
                'transitions': [{'to': 'approved', 'condition': 'output.approved == true'}, {'to': 'rejected'}],
                'on_error': [{'error_type': 'TIMEOUT', 'to': 'expired'}]},
               {'id': 'approved', 'type': 'core.echo', 'config': {'by': '${signals.approval.by}'}},
               {'id': 'rejected', 'type': 'core.echo', 'config': {}},
               {'id': 'expired', 'type': 'core.echo', 'config': {'why': '${error.type}', 'message': '${error.message}'}}
             ]}""";

    @Inject
    Pool pool;

    static String approval(long delayMs, long expirationMs) {
        String wf = createWorkflow(APPROVAL);
        return start(wf, "{'item': 'laptop', 'delay_ms': " + delayMs + ", 'expiration_ms': " + expirationMs + "}");
    }

    static io.restassured.response.ValidatableResponse signal(String executionId, String name, String body,
            String key) {
        var request = given().contentType(ContentType.JSON);
        if (key != null) {
            request = request.header("Idempotency-Key", key);
        }
        if (body != null) {
            request = request.body(json(body));
        }
        return request.post("/api/executions/" + executionId + "/signals/" + name).then().log().ifValidationFails();
    }

    static void awaitTask(String executionId, String taskId, String status) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(25)).until(() ->
                status.equals(execution(executionId).getString("task_executions." + taskId + ".status")));
    }

    @Test
    void aSignalAfterTheWaitStartedCompletesItAndLaterStepsReadIt() {
        String id = approval(0, 60_000);
        awaitTask(id, "wait", "RUNNING");
        signal(id, "approval", "{'approved': true, 'by': 'ann'}", null).statusCode(202)
                .body("execution_id", equalTo(id)).body("name", equalTo("approval"))
                .body("recorded", equalTo(true)).body("consumed_by", equalTo("wait"))
                .body("signal_id", org.hamcrest.Matchers.notNullValue());
        JsonPath done = awaitFinished(id);
        assertThat(done.getString("status")).isEqualTo("COMPLETED");
        assertThat(done.getString("task_executions.wait.output.by")).isEqualTo("ann");
        assertThat(done.getString("task_executions.approved.input.by")).isEqualTo("ann");
        assertThat(done.getString("output.wait")).isEqualTo("COMPLETED");
        assertThat(done.getInt("signals.approval.received")).isEqualTo(1);
        assertThat(done.getInt("signals.approval.pending")).isEqualTo(0);
        assertThat(done.getString("signals.approval.latest.by")).isEqualTo("ann");
        assertThat(done.getString("signals.approval.last_received_at")).isNotBlank();
        checkAndRecord(id, "signals", "Seed 000's approval with a core.wait_for_signal step: the signal 'approval'"
                + " arrives over the API while the wait runs (SignalReceived, SignalConsumed), and the approved step"
                + " reads signals.approval.by");
    }

    @Test
    void aReplayGetsTheSourcesSignalsAgainAndEndsAsTheSourceDid() {
        String id = approval(0, 60_000);
        awaitTask(id, "wait", "RUNNING");
        signal(id, "approval", "{'approved': true, 'by': 'ann'}", "replayed-approval").statusCode(202);
        assertThat(awaitFinished(id).getString("status")).isEqualTo("COMPLETED");
        String replay = given().post("/api/executions/" + id + "/replay").then().statusCode(201)
                .extract().path("execution_id");
        JsonPath done = awaitFinished(replay);
        assertThat(done.getString("status")).isEqualTo("COMPLETED");
        assertThat(done.getString("task_executions.approved.status")).isEqualTo("COMPLETED");
        assertThat(done.getString("task_executions.approved.input.by")).isEqualTo("ann");
        assertThat(done.getInt("signals.approval.received")).isEqualTo(1);
        List<String> sources = given().get("/api/executions/" + replay + "/events?limit=1000").then().statusCode(200)
                .extract().jsonPath().getList("items.findAll { it.type == 'SignalReceived' }.data.source");
        assertThat(sources).containsExactly("replay");
    }

    @Test
    void aSignalBeforeTheWaitStartsIsKeptAndConsumedWhenItStarts() {
        String id = approval(1500, 60_000);
        signal(id, "approval", "{'approved': false, 'by': 'bob'}", null).statusCode(202)
                .body("recorded", equalTo(true)).body("consumed_by", nullValue());
        JsonPath kept = execution(id);
        assertThat(kept.getString("task_executions.submit.status")).isEqualTo("RUNNING");
        assertThat(kept.getInt("signals.approval.pending")).isEqualTo(1);
        JsonPath done = awaitFinished(id);
        assertThat(done.getString("status")).isEqualTo("COMPLETED");
        assertThat(done.getString("task_executions.rejected.status")).isEqualTo("COMPLETED");
        assertThat(done.getInt("signals.approval.pending")).isEqualTo(0);
        given().get("/api/executions/" + id + "/verify").then().statusCode(200).body("result", equalTo("same"));
    }

    @Test
    void aRetriedRequestWithTheSameIdempotencyKeyIsRecordedOnce() {
        String id = approval(0, 60_000);
        awaitTask(id, "wait", "RUNNING");
        String key = "approval-" + UUID.randomUUID();
        signal(id, "approval", "{'approved': true, 'by': 'ann'}", key).statusCode(202)
                .body("signal_id", equalTo(key)).body("recorded", equalTo(true));
        awaitFinished(id);
        // a retry of a request that did arrive: the execution has finished, but the signal was recorded already
        signal(id, "approval", "{'approved': true, 'by': 'ann'}", key).statusCode(202)
                .body("signal_id", equalTo(key)).body("recorded", equalTo(false));
        List<Stored> events = storedEvents(id);
        assertThat(events.stream().filter(e -> e.type().equals("SignalReceived")).count()).isEqualTo(1);
    }

    @Test
    void aDuplicateWhileRunningIsAcceptedAndRecordsNothing() {
        String id = approval(0, 60_000);
        awaitTask(id, "wait", "RUNNING");
        signal(id, "other", "1", "k-1").statusCode(202).body("recorded", equalTo(true));
        signal(id, "other", "2", "k-1").statusCode(202).body("recorded", equalTo(false))
                .body("consumed_by", nullValue());
        assertThat(execution(id).getInt("signals.other.received")).isEqualTo(1);
        assertThat(execution(id).getInt("signals.other.latest")).isEqualTo(1);
        given().post("/api/executions/" + id + "/cancel").then().statusCode(org.hamcrest.Matchers.lessThan(300));
    }

    @Test
    void aWaitThatExpiresTakesItsOnErrorRoute() {
        String id = approval(0, 300);
        JsonPath done = awaitFinished(id);
        assertThat(done.getString("status")).isEqualTo("COMPLETED");
        assertThat(done.getString("task_executions.wait.status")).isEqualTo("FAILED");
        assertThat(done.getString("task_executions.wait.error.type")).isEqualTo("TIMEOUT");
        assertThat(done.getString("task_executions.expired.input.why")).isEqualTo("TIMEOUT");
        assertThat(done.getString("task_executions.expired.input.message")).contains("signal 'approval'");
        assertThat(done.getMap("signals")).isEmpty();
    }

    @Test
    void anEmptyBodyIsANullPayload() {
        String id = approval(0, 60_000);
        awaitTask(id, "wait", "RUNNING");
        given().post("/api/executions/" + id + "/signals/approval").then().statusCode(202)
                .body("consumed_by", equalTo("wait"));
        JsonPath done = awaitFinished(id);
        assertThat(done.getString("task_executions.wait.status")).isEqualTo("COMPLETED");
        assertThat((Object) done.get("task_executions.wait.output")).isNull();
        assertThat((Object) done.get("signals.approval.latest")).isNull();
        assertThat(done.getInt("signals.approval.received")).isEqualTo(1);
    }

    @Test
    void aFinishedExecutionAnswers409NamingItsStatus() {
        String id = approval(0, 100);
        awaitFinished(id);
        signal(id, "approval", "{}", null).statusCode(409).contentType("application/problem+json")
                .body("execution_status", equalTo("COMPLETED")).body("detail", containsString(id))
                .body("detail", containsString("COMPLETED"));
    }

    @Test
    void anUnknownExecutionAnswers404() {
        String unknown = UUID.randomUUID().toString();
        signal(unknown, "approval", "{}", null).statusCode(404).contentType("application/problem+json")
                .body("detail", containsString(unknown));
        signal("not-a-uuid", "approval", "{}", null).statusCode(404).contentType("application/problem+json");
    }

    @Test
    void aBadNameIdOrBodyIsRefusedNamingTheField() {
        String id = approval(0, 60_000);
        signal(id, "9lives", "{}", null).statusCode(422).contentType("application/problem+json")
                .body("errors[0].pointer", equalTo("/name")).body("errors[0].detail", containsString("9lives"));
        signal(id, "a".repeat(129), "{}", null).statusCode(422).body("errors[0].pointer", equalTo("/name"))
                .body("errors[0].detail", containsString("128"));
        signal(id, "approval", "{}", "x".repeat(256)).statusCode(422)
                .body("errors[0].pointer", equalTo("/signal_id"));
        given().contentType(ContentType.JSON).body("{not json").post("/api/executions/" + id + "/signals/approval")
                .then().statusCode(400).contentType("application/problem+json");
        String big = "{\"blob\": \"" + "x".repeat(1 << 20) + "\"}";
        given().contentType(ContentType.JSON).body(big).post("/api/executions/" + id + "/signals/approval").then()
                .statusCode(413).contentType("application/problem+json")
                .body("detail", containsString("above the limit of 1048576"));
        assertThat(execution(id).getMap("signals")).isEmpty();
        given().post("/api/executions/" + id + "/cancel").then().statusCode(org.hamcrest.Matchers.lessThan(300));
    }

    @Test
    void aLiteralWaitInputIsCheckedWhenTheWorkflowIsDefined() {
        given().contentType(ContentType.JSON).body(json("""
                {'name': 'bad-waits', 'steps': [
                   {'id': 'w', 'type': 'core.wait_for_signal', 'config': {'name': 'approval', 'timeout_ms': 'soon'},
                    'transitions': [{'to': 'd'}]},
                   {'id': 'd', 'type': 'core.wait', 'config': {'duration': '48 hours'}}]}"""))
                .post("/api/workflows").then().log().ifValidationFails().statusCode(422)
                .contentType("application/problem+json")
                .body("errors.pointer", org.hamcrest.Matchers.hasItems("/steps/0/config", "/steps/1/config"))
                .body("errors.detail", org.hamcrest.Matchers.hasItem(containsString("timeout_ms")))
                .body("errors.detail", org.hamcrest.Matchers.hasItem(containsString("PT48H")));
        given().contentType(ContentType.JSON).body(json("""
                {'name': 'no-name', 'tasks': [{'id': 'w', 'component': 'core', 'action': 'wait_for_signal'}]}"""))
                .post("/api/workflows").then().statusCode(422).body("errors[0].pointer", equalTo("/tasks/0/input"));
        // templated: checked when the task runs
        createWorkflow("""
                {'name': 'templated', 'tasks': [{'id': 'w', 'component': 'core', 'action': 'wait_for_signal',
                  'input': {'name': '${input.signal}', 'timeout_ms': '${input.ms}'}}]}""");
    }

    // ------------------------------------------------------------------ helpers

    /** Verify says "same"; the history is recorded into the corpus if asked. */
    private void checkAndRecord(String executionId, String name, String description) {
        List<Stored> events = storedEvents(executionId);
        given().get("/api/executions/" + executionId + "/verify").then().statusCode(200)
                .body("events", equalTo(events.size())).body("result", equalTo("same"));
        if (RECORD) {
            JsonNode start = events.get(0).payload();
            String workflowId = start.get("workflow_id").asText();
            JsonNode definition;
            try {
                definition = JSON.readTree(given().get("/api/workflows/" + workflowId).then().statusCode(200)
                        .extract().asString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            HistoryFixtures.write(new Fixture(name, description, workflowId, start.get("workflow_version").asInt(),
                    definition, events));
        }
    }

    private List<Stored> storedEvents(String executionId) {
        List<Stored> out = new ArrayList<>();
        for (Row r : pool.preparedQuery("select stream_version, event_type, schema_version, payload::text from events"
                + " where stream_id = $1 order by stream_version").execute(Tuple.of(StreamIds.execution(executionId)))
                .await().indefinitely()) {
            try {
                out.add(new Stored(r.getInteger(0), r.getString(1), r.getShort(2), JSON.readTree(r.getString(3))));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }
}
