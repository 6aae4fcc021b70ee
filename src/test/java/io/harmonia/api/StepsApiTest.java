package io.harmonia.api;

import static io.harmonia.api.Api.awaitFinished;
import static io.harmonia.api.Api.createWorkflow;
import static io.harmonia.api.Api.json;
import static io.harmonia.api.Api.start;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harmonia.domain.HistoryFixtures;
import io.harmonia.domain.HistoryFixtures.Fixture;
import io.harmonia.domain.HistoryFixtures.Stored;
import io.harmonia.eventstore.StreamIds;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.http.HttpServer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Seed 000's approval state machine (issue 12) end to end through the API, with a local HTTP server standing in for
 * the approval service: it runs to {@code approved}, to {@code rejected} (a core.fail step: the execution FAILS with
 * its CLIENT_ERROR), loops while the service answers PENDING, and a timed-out check is taken up by the TIMEOUT
 * handler. With {@code -Dharmonia.histories.record=true} the loop and the handler are recorded into the history
 * corpus ({@code steps-loop}, {@code steps-error-handler}).
 */
@QuarkusTest
class StepsApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final boolean RECORD = Boolean.getBoolean("harmonia.histories.record");

    /** The example, with the timeout handler step it names. */
    static final String APPROVAL = """
            {'name': 'approval', 'output': {'item': '${input.item}', 'check': '${tasks.check.status}'},
             'steps': [
               {'id': 'submit', 'type': 'core.echo', 'config': {'item': '${input.item}'},
                'transitions': [{'to': 'check', 'automatic': true}]},
               {'id': 'check', 'type': 'http.request', 'config': {'url': '${input.approval_url}'},
                'retry': {'max_attempts': 3, 'initial_delay_ms': 10, 'jitter': false}, 'timeout_ms': %d,
                'transitions': [{'to': 'approved', 'condition': 'output.body.status == `APPROVED`'},
                                {'to': 'check', 'condition': 'output.body.status == `PENDING`'},
                                {'to': 'rejected'}]},
               {'id': 'approved', 'type': 'core.echo', 'config': {}},
               {'id': 'rejected', 'type': 'core.fail', 'config': {'error_type': 'CLIENT_ERROR', 'message': 'rejected'}},
               {'id': 'timeout_handler', 'type': 'core.echo',
                'config': {'why': '${error.type}', 'step': '${error.task_id}', 'message': '${error.message}'}}],
             'error_handlers': [{'error_type': 'TIMEOUT', 'handler_step': 'timeout_handler'}]}""";

    @Inject
    Vertx vertx;
    @Inject
    Pool pool;

    HttpServer server;
    final AtomicInteger pendingCalls = new AtomicInteger();

    @BeforeEach
    void startApprovalService() {
        server = vertx.createHttpServer().requestHandler(req -> {
            String status = switch (req.path()) {
                case "/approve" -> "APPROVED";
                case "/reject" -> "REJECTED";
                case "/pending" -> pendingCalls.incrementAndGet() <= 2 ? "PENDING" : "APPROVED";
                default -> null;
            };
            if (req.path().equals("/slow")) {
                vertx.setTimer(3000, t -> req.response().endAndForget("{\"status\": \"APPROVED\"}"));
            } else if (status == null) {
                req.response().setStatusCode(404).endAndForget("no such thing");
            } else {
                req.response().putHeader("content-type", "application/json")
                        .endAndForget("{\"status\": \"" + status + "\"}");
            }
        }).listen(0).await().atMost(Duration.ofSeconds(5));
    }

    @AfterEach
    void stopApprovalService() {
        server.close().await().atMost(Duration.ofSeconds(5));
    }

    private String approval(int timeoutMs) {
        return createWorkflow(APPROVAL.formatted(timeoutMs).replace("`", "\\'"));
    }

    private String input(String path) {
        return "{'item': 'laptop', 'approval_url': 'http://localhost:" + server.actualPort() + path + "'}";
    }

    @Test
    void anApprovedRequestRunsToApproved() {
        JsonPath done = awaitFinished(start(approval(5000), input("/approve")));
        assertThat(done.getString("status")).isEqualTo("COMPLETED");
        assertThat(done.getString("language")).isEqualTo("steps");
        assertThat(done.getString("current_step_id")).isEqualTo("approved");
        assertThat(done.getMap("output")).isEqualTo(Map.of("item", "laptop", "check", "COMPLETED"));
        assertThat(path(done)).containsExactly("submit:1:COMPLETED->check", "check:1:COMPLETED->approved");
        assertThat(done.getInt("path_length")).isEqualTo(2);
        assertThat(done.getString("task_executions.rejected.status")).isEqualTo("SKIPPED");
        assertThat(done.getString("task_executions.rejected.error.type")).isEqualTo("NOT_REACHED");
        assertThat(done.getString("task_executions.timeout_handler.error.type")).isEqualTo("NOT_REACHED");
        assertThat(done.getList("handled_errors")).isEmpty();
    }

    @Test
    void aRejectedRequestEndsInTheCoreFailStepWhichFailsTheExecution() {
        JsonPath done = awaitFinished(start(approval(5000), input("/reject")));
        assertThat(done.getString("status")).isEqualTo("FAILED");
        assertThat(done.getString("error.type")).isEqualTo("CLIENT_ERROR");
        assertThat(done.getString("error.task_id")).isEqualTo("rejected");
        assertThat(done.getString("current_step_id")).isEqualTo("rejected");
        assertThat(path(done)).containsExactly("submit:1:COMPLETED->check", "check:1:COMPLETED->rejected");
        assertThat(done.getString("task_executions.approved.error.type")).isEqualTo("NOT_REACHED");
    }

    @Test
    void itLoopsWhileTheServiceAnswersPending() {
        String id = start(approval(5000), input("/pending"));
        JsonPath done = awaitFinished(id);
        assertThat(done.getString("status")).isEqualTo("COMPLETED");
        assertThat(done.getInt("task_executions.check.run")).isEqualTo(3);
        assertThat(pendingCalls.get()).isEqualTo(3);
        assertThat(path(done)).containsExactly("submit:1:COMPLETED->check", "check:1:COMPLETED->check",
                "check:2:COMPLETED->check", "check:3:COMPLETED->approved");
        assertThat(done.getList("path.via")).containsOnly("transition");
        assertThat(done.getList("path.index", Integer.class)).containsExactly(0, 1, 1, 0);
        List<String> types = Api.events(id).getList("items.type");
        assertThat(types.stream().filter("TransitionTaken"::equals).count()).isEqualTo(4);
        checkAndRecord(id, "steps-loop", "Seed 000's approval machine: the service answers PENDING twice, so"
                + " check runs 3 times (TransitionTaken check -> check), then APPROVED: approved ends it");
    }

    @Test
    void aCheckThatTimesOutForGoodIsTakenUpByTheTimeoutHandler() {
        String id = start(approval(200), input("/slow"));
        JsonPath done = awaitFinished(id);
        assertThat(done.getString("status")).as(done.prettify()).isEqualTo("COMPLETED");
        assertThat(done.getString("current_step_id")).isEqualTo("timeout_handler");
        assertThat(done.getInt("task_executions.check.attempts")).isEqualTo(3);
        assertThat(done.getString("task_executions.check.status")).isEqualTo("FAILED");
        assertThat(done.getString("task_executions.timeout_handler.output.why")).isEqualTo("TIMEOUT");
        assertThat(done.getString("task_executions.timeout_handler.output.step")).isEqualTo("check");
        assertThat(path(done)).containsExactly("submit:1:COMPLETED->check", "check:1:FAILED->timeout_handler");
        assertThat(done.getString("path[1].via")).isEqualTo("error_handler");
        assertThat(done.getString("path[1].error.type")).isEqualTo("TIMEOUT");
        assertThat(done.getList("handled_errors")).hasSize(1);
        assertThat(done.getString("handled_errors[0].task_id")).isEqualTo("check");
        assertThat(done.getString("handled_errors[0].handler")).isEqualTo("timeout_handler");
        assertThat(done.getString("handled_errors[0].via")).isEqualTo("error_handler");
        assertThat(done.getInt("handled_errors[0].index")).isZero();
        assertThat(done.getString("handled_errors[0].error.type")).isEqualTo("TIMEOUT");
        checkAndRecord(id, "steps-error-handler", "Seed 000's approval machine against a service slower than"
                + " check's 200 ms timeout: 3 attempts time out, the TIMEOUT error handler step runs with the error");
    }

    @Test
    void aBadMachineGets422WithEveryProblemAtOnce() {
        given().contentType(ContentType.JSON).body(json("""
                {'name': 'bad', 'steps': [
                  {'id': 'a', 'type': 'core.echo', 'transitions': [{'to': 'nowhere'}, {'to': 'b', 'condition': '1 +'}]},
                  {'id': 'b', 'type': 'core.echo', 'on_error': [{'error_type': '*', 'to': 'gone'}]},
                  {'id': 'c', 'type': 'notification'}],
                 'error_handlers': [{'error_type': 'TIMEOUT', 'handler_step': 'missing'}]}"""))
                .post("/api/workflows").then().statusCode(422)
                .contentType("application/problem+json")
                .body("errors.pointer", org.hamcrest.Matchers.hasItems("/steps/0/transitions/0/to",
                        "/steps/0/transitions/1/condition", "/steps/2/type", "/steps/1/on_error/0/to",
                        "/error_handlers/0/handler_step"));
        given().contentType(ContentType.JSON).body(json("""
                {'name': 'bad-graph', 'steps': [
                  {'id': 'a', 'type': 'core.echo', 'transitions': [{'to': 'b'}]},
                  {'id': 'b', 'type': 'core.echo', 'transitions': [{'to': 'a'}]},
                  {'id': 'lost', 'type': 'core.echo'}]}"""))
                .post("/api/workflows").then().statusCode(422)
                .body("errors.pointer", org.hamcrest.Matchers.hasItems("/steps/2", "/steps/0/transitions"));
    }

    /** {@code step:run:outcome->next} of each route in the view's path. */
    private static List<String> path(JsonPath view) {
        List<Map<String, Object>> routes = view.getList("path");
        return routes.stream().map(r -> r.get("step_id") + ":" + r.get("run") + ":" + r.get("outcome") + "->"
                + r.get("next")).toList();
    }

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
