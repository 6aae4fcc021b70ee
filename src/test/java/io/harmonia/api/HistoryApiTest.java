package io.harmonia.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harmonia.domain.HistoryFixtures;
import io.harmonia.domain.HistoryFixtures.Fixture;
import io.harmonia.domain.HistoryFixtures.Stored;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.ExecutionCommand;
import io.harmonia.domain.execution.ExecutionEvent;
import io.harmonia.domain.execution.ExecutionEvent.CheckpointCreated;
import io.harmonia.eventstore.EventCodec;
import io.harmonia.eventstore.StreamIds;
import io.harmonia.projection.workflows.WorkflowDefinitions;
import io.harmonia.runtime.ExecutionEngine;
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
import org.junit.jupiter.api.Test;

/**
 * Time travel ({@code GET /api/executions/{id}?at_sequence=N}) and verify ({@code GET /api/executions/{id}/verify})
 * over real runs of the service, one scenario per execution event type. With {@code -Dharmonia.histories.record=true}
 * each scenario's history is written to {@code src/test/resources/histories} (the corpus HistoryCorpusTest reads).
 * Re-run, restore, replay and state from outside are driven through the engine (their endpoints are separate).
 */
@QuarkusTest
class HistoryApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final boolean RECORD = Boolean.getBoolean("harmonia.histories.record");

    @Inject
    Pool pool;
    @Inject
    ExecutionEngine engine;
    @Inject
    WorkflowDefinitions definitions;

    // ------------------------------------------------------------------ scenarios

    static final String PLAIN_DAG = """
            {"name": "history-plain-dag", "output": {"total": "${tasks.c.output.v}"},
             "tasks": [
               {"id": "a", "component": "core", "action": "echo", "input": {"v": "${input.n}"}},
               {"id": "b", "component": "core", "action": "transform", "input": {"v": "${tasks.a.output.v + 1}"},
                "depends_on": ["a"]},
               {"id": "x", "component": "core", "action": "echo", "input": {}, "depends_on": ["a"],
                "condition": "input.n > 10"},
               {"id": "c", "component": "core", "action": "echo", "input": {"v": "${tasks.b.output.v * 2}"},
                "depends_on": ["b", "x"]}]}""";

    @Test
    void aPlainDagWithAFalseConditionInlineChainsAndAReplayIsTheSame() {
        Run run = Run.of(PLAIN_DAG, "{\"n\": 3}");
        Api.awaitFinished(run.executionId);
        // a replay (what POST /replay does): a new execution of the same version and input, linked both ways
        WorkflowDefinition wf = definition(run);
        String replay = engine.newExecutionId();
        engine.begin(replay, wf, now -> new ExecutionCommand.Start(replay, JSON.createObjectNode().put("n", 3),
                run.executionId, now), null).await().indefinitely();
        engine.command(run.executionId, now -> new ExecutionCommand.RecordDerived("replay", replay, null, now))
                .await().indefinitely();
        Api.awaitFinished(replay);
        assertThat(Api.execution(replay).getString("status")).isEqualTo("COMPLETED");

        checkAndRecord(run, "plain-dag", "A DAG of inline tasks (one append), a condition false (x), an output"
                + " mapping; replayed once (ExecutionDerived replay)");
        checkAndRecord(new Run(run.workflowId, replay, run.definition), "replay", "A replay of plain-dag"
                + " (ExecutionStarted.replay_of)");
    }

    @Test
    void retriesWithJitterAndAFailedFanOutThenARerunAreTheSame() {
        Run run = Run.of("""
                {"name": "history-retries", "tasks": [
                   {"id": "f", "component": "core", "action": "fail",
                    "input": {"error_type": "SERVER_ERROR", "message": "down", "retriable": true},
                    "retry": {"max_attempts": 3, "initial_delay_ms": 20, "backoff_factor": 2, "jitter": true}},
                   {"id": "d", "component": "core", "action": "echo", "depends_on": ["f"]},
                   {"id": "e", "component": "core", "action": "echo", "depends_on": ["d"]},
                   {"id": "g", "component": "core", "action": "echo", "input": {"independent": true}}]}""",
                "{}");
        JsonPath failed = Api.awaitFinished(run.executionId);
        assertThat(failed.getString("status")).isEqualTo("FAILED");
        assertThat(failed.getString("task_executions.e.error.type")).isEqualTo("UPSTREAM_FAILED");
        checkAndRecord(run, "retries-failed-fan-out", "core.fail retried twice with jitter, then failed; its"
                + " downstream skipped (UPSTREAM_FAILED), an independent branch completed");

        // re-run (what POST /rerun does): every failed task and what was skipped because of it, in place
        engine.command(run.executionId, now -> new ExecutionCommand.Rerun(null, now)).await().indefinitely();
        JsonPath again = Api.awaitStatus(run.executionId, Duration.ofSeconds(20), "FAILED");
        assertThat(again.getInt("task_executions.f.run")).isEqualTo(2);
        checkAndRecord(run, "rerun", "retries-failed-fan-out re-run without from_task (ExecutionRerun): f, d, e"
                + " run again (run 2) and fail again");
    }

    @Test
    void aTaskTimeoutRetriedAndAWorkflowTimeoutAreTheSame() {
        Run task = Run.of("""
                {"name": "history-task-timeout", "tasks": [
                   {"id": "s", "component": "core", "action": "sleep", "input": {"ms": 10000}, "timeout_ms": 100,
                    "retry": {"max_attempts": 2, "initial_delay_ms": 10, "jitter": false, "retriable_errors": ["TIMEOUT"]}}]}""",
                "{}");
        assertThat(Api.awaitFinished(task.executionId).getString("task_executions.s.error.type"))
                .isEqualTo("TIMEOUT");
        checkAndRecord(task, "task-timeout", "core.sleep with a 100 ms timeout: timed out, retried, timed out,"
                + " failed");

        Run workflow = Run.of("""
                {"name": "history-workflow-timeout", "timeout_ms": 300, "tasks": [
                   {"id": "s", "component": "core", "action": "sleep", "input": {"ms": 10000}},
                   {"id": "z", "component": "core", "action": "echo", "depends_on": ["s"]}]}""", "{}");
        assertThat(Api.awaitFinished(workflow.executionId).getString("error.type")).isEqualTo("TIMEOUT");
        checkAndRecord(workflow, "workflow-timeout", "A 300 ms workflow timeout: the running sleep CANCELED, the"
                + " pending task SKIPPED (EXECUTION_TIMED_OUT), ExecutionFailed TIMEOUT");
    }

    @Test
    void aCancelAndAPauseResumeAroundACoreSleepAreTheSame() {
        Run canceled = Run.of("""
                {"name": "history-cancel", "tasks": [
                   {"id": "s", "component": "core", "action": "sleep", "input": {"ms": 10000}},
                   {"id": "z", "component": "core", "action": "echo", "depends_on": ["s"]}]}""", "{}");
        given().post("/api/executions/" + canceled.executionId + "/cancel").then().statusCode(200);
        Api.awaitFinished(canceled.executionId);
        checkAndRecord(canceled, "cancel", "Canceled while a sleep ran: TaskCanceled, TaskSkipped, ExecutionCanceled");

        Run paused = Run.of("""
                {"name": "history-pause", "tasks": [
                   {"id": "s", "component": "core", "action": "sleep", "input": {"ms": 2000}},
                   {"id": "t", "component": "core", "action": "echo", "input": {"slept": "${tasks.s.output.slept_ms}"},
                    "depends_on": ["s"]}]}""", "{}");
        given().post("/api/executions/" + paused.executionId + "/pause").then().statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> "COMPLETED".equals(
                Api.execution(paused.executionId).getString("task_executions.s.status")));
        assertThat(Api.execution(paused.executionId).getString("status")).isEqualTo("PAUSED");
        given().post("/api/executions/" + paused.executionId + "/resume").then().statusCode(200);
        assertThat(Api.awaitFinished(paused.executionId).getString("status")).isEqualTo("COMPLETED");
        checkAndRecord(paused, "pause-resume-sleep", "Paused while core.sleep ran (it completes, its dependent"
                + " waits), resumed");
    }

    @Test
    void stateFromATaskAndFromOutsideCheckpointsAndARestoreAreTheSame() {
        Run run = Run.of("""
                {"name": "history-state", "tasks": [
                   {"id": "a", "component": "core", "action": "echo", "input": {"status": "PENDING"},
                    "state": {"approval_status": "${output.status}"}, "checkpoint": true},
                   {"id": "w", "component": "core", "action": "sleep", "input": {"ms": 3000}, "depends_on": ["a"]},
                   {"id": "approve", "component": "core", "action": "echo", "input": {"by": "${state.approver}"},
                    "depends_on": ["w"], "condition": "state.approval_status == 'APPROVED'"}]}""", "{}");
        // state from outside (what PUT/PATCH /api/state does) and a checkpoint on request, while w sleeps
        engine.command(run.executionId, now -> new ExecutionCommand.UpdateState(JSON.createObjectNode()
                .put("approval_status", "APPROVED").put("approver", "ops"), false, null, now)).await().indefinitely();
        engine.command(run.executionId, ExecutionCommand.Checkpoint::new).await().indefinitely();
        JsonPath done = Api.awaitFinished(run.executionId);
        assertThat(done.getString("task_executions.approve.output.by")).isEqualTo("ops");

        // a restore (what POST /api/checkpoints/{id}/restore does) of the checkpoint task a asked for
        CheckpointCreated cp = storedEvents(run.executionId).stream().map(HistoryApiTest::decode)
                .filter(e -> e instanceof CheckpointCreated c && c.reason().equals("task:a"))
                .map(CheckpointCreated.class::cast).findFirst().orElseThrow();
        String restored = engine.newExecutionId();
        engine.begin(restored, definition(run), now -> new ExecutionCommand.Restore(restored, cp.checkpointId(),
                cp.snapshot(), now), null).await().indefinitely();
        engine.command(run.executionId, now -> new ExecutionCommand.RecordDerived("restore", restored,
                cp.checkpointId(), now)).await().indefinitely();
        JsonPath again = Api.awaitFinished(restored);
        assertThat(again.getString("task_executions.approve.status")).isEqualTo("SKIPPED");

        checkAndRecord(run, "state-and-checkpoints", "State from a task's mapping and from outside (StateUpdated),"
                + " a checkpoint after a task marked checkpoint and one on request; restored once (ExecutionDerived)");
        checkAndRecord(new Run(run.workflowId, restored, run.definition), "restored", "Restored from"
                + " state-and-checkpoints' task:a checkpoint (ExecutionStarted.restored_from, CheckpointRestored)");
    }

    @Test
    void anAutomaticCheckpointEveryNEventsIsTheSameAndAHistoryAboveTheLimitIsRefused() {
        StringBuilder tasks = new StringBuilder();
        for (int i = 0; i < 170; i++) {
            tasks.append(i == 0 ? "" : ",").append("{\"id\": \"t").append(i)
                    .append("\", \"component\": \"core\", \"action\": \"echo\", \"input\": {\"i\": ").append(i)
                    .append("}}");
        }
        Run run = Run.of("{\"name\": \"history-every-n\", \"tasks\": [" + tasks + "]}", "{}");
        Api.awaitFinished(run.executionId);
        List<Stored> events = storedEvents(run.executionId);
        assertThat(events).extracting(Stored::type).contains("CheckpointCreated");
        // the test profile caps verify at 500 events (harmonia.history.verify-max-events)
        given().get("/api/executions/" + run.executionId + "/verify").then().statusCode(422)
                .contentType("application/problem+json")
                .body("errors[0].detail", containsString("expected at most 500 events"))
                .body("errors[0].detail", containsString("found " + events.size()));
        // the time travel to either side of the checkpoint folds from the nearest one
        int cpAt = events.stream().filter(e -> e.type().equals("CheckpointCreated")).findFirst().orElseThrow()
                .sequence();
        given().get("/api/executions/" + run.executionId + "?at_sequence=" + (cpAt + 1)).then().statusCode(200)
                .body("version", equalTo(cpAt + 1)).body("at_sequence", equalTo(cpAt + 1));
        record(run, "every-n-checkpoint", "170 inline echo tasks: an automatic checkpoint after 500 events"
                + " (harmonia.history.checkpoint-every-events, default 500)");
    }

    @Test
    void anEditedStoredOutputIsReportedAsDivergedWithTheStoredAndTheDecidedEvent() {
        Run run = Run.of(PLAIN_DAG, "{\"n\": 3}");
        Api.awaitFinished(run.executionId);
        List<Stored> events = storedEvents(run.executionId);
        int completedA = events.stream().filter(e -> e.type().equals("TaskCompleted")
                && e.payload().get("task_id").asText().equals("a")).findFirst().orElseThrow().sequence();
        int scheduledB = events.stream().filter(e -> e.type().equals("TaskScheduled")
                && e.payload().get("task_id").asText().equals("b")).findFirst().orElseThrow().sequence();
        pool.preparedQuery("update events set payload = jsonb_set(payload::jsonb, '{output,v}', '41')::text::json"
                        + " where stream_id = $1 and stream_version = $2")
                .execute(Tuple.of(StreamIds.execution(run.executionId), completedA)).await().indefinitely();
        given().get("/api/executions/" + run.executionId + "/verify").then().log().ifValidationFails().statusCode(200)
                .body("result", equalTo("diverged")).body("events", equalTo(events.size()))
                .body("divergence.sequence", equalTo(scheduledB))
                .body("divergence.stored.type", equalTo("TaskScheduled"))
                .body("divergence.stored.data.input.v", equalTo(4))
                .body("divergence.decided.type", equalTo("TaskScheduled"))
                .body("divergence.decided.data.input.v", equalTo(42))
                .body("divergence.reason", containsString("differs in 'input'"));
    }

    // ------------------------------------------------------------------ time travel

    @Test
    void timeTravelShowsTheExecutionAsItWasAfterEachEvent() {
        Run run = Run.of(PLAIN_DAG, "{\"n\": 3}");
        Api.awaitFinished(run.executionId);
        List<Stored> events = storedEvents(run.executionId);
        String url = "/api/executions/" + run.executionId;
        given().get(url + "?at_sequence=1").then().statusCode(200).body("status", equalTo("RUNNING"))
                .body("version", equalTo(1)).body("at_sequence", equalTo(1))
                .body("task_executions.a.status", equalTo("PENDING"));
        int completedA = events.stream().filter(e -> e.type().equals("TaskCompleted")).findFirst().orElseThrow()
                .sequence();
        given().get(url + "?at_sequence=" + completedA).then().statusCode(200)
                .body("task_executions.a.status", equalTo("COMPLETED"))
                .body("task_executions.a.output.v", equalTo(3))
                .body("task_executions.b.status", equalTo("PENDING"));
        // the last event: the view the read model shows
        JsonNode now = given().get(url).then().statusCode(200).extract().as(JsonNode.class);
        JsonNode then = given().get(url + "?at_sequence=" + events.size()).then().statusCode(200).extract()
                .as(JsonNode.class);
        JsonNode withoutSequence = ((com.fasterxml.jackson.databind.node.ObjectNode) then.deepCopy())
                .without("at_sequence");
        assertThat((Object) withoutSequence).isEqualTo(now);
    }

    @Test
    void timeTravelRefusesASequenceThatIsNotAnEventAndUnknownExecutions() {
        Run run = Run.of(PLAIN_DAG, "{\"n\": 3}");
        Api.awaitFinished(run.executionId);
        int last = storedEvents(run.executionId).size();
        String url = "/api/executions/" + run.executionId;
        for (String bad : List.of("0", String.valueOf(last + 1), "-3", "abc", "99999999999")) {
            given().get(url + "?at_sequence=" + bad).then().statusCode(422)
                    .contentType("application/problem+json")
                    .body("errors[0].pointer", equalTo("/query/at_sequence"))
                    .body("errors[0].detail", containsString("from 1 to " + last))
                    .body("errors[0].detail", containsString(run.executionId));
        }
        String unknown = "00000000-0000-0000-0000-00000000abcd";
        given().get("/api/executions/" + unknown + "?at_sequence=1").then().statusCode(404)
                .contentType("application/problem+json");
        given().get("/api/executions/not-a-uuid?at_sequence=1").then().statusCode(404);
        given().get("/api/executions/" + unknown + "/verify").then().statusCode(404)
                .contentType("application/problem+json").body("type", endsWith("/not-found"));
    }

    // ------------------------------------------------------------------ version 1 events in the store

    @Test
    void aVersion1ExecutionStartedAsTheCodeBeforeIssue11WroteItStillLoadsTimeTravelsAndVerifies() {
        Run run = Run.of(PLAIN_DAG, "{\"n\": 3}");
        Api.awaitFinished(run.executionId);
        JsonNode before = given().get("/api/executions/" + run.executionId + "?at_sequence=1").then()
                .statusCode(200).extract().as(JsonNode.class);
        // the row as the code before issue 11 wrote it: schema_version 1, no replay_of nor restored_from
        pool.preparedQuery("update events set schema_version = 1, payload = (payload::jsonb - 'replay_of'"
                        + " - 'restored_from')::text::json where stream_id = $1 and stream_version = 1")
                .execute(Tuple.of(StreamIds.execution(run.executionId))).await().indefinitely();
        Stored first = storedEvents(run.executionId).get(0);
        assertThat(first.schemaVersion()).isEqualTo(1);
        assertThat(first.payload().has("replay_of")).isFalse();

        given().get("/api/executions/" + run.executionId + "/events").then().statusCode(200)
                .body("items[0].type", equalTo("ExecutionStarted")).body("items[0].schema_version", equalTo(1))
                .body("items[0].data.replay_of", equalTo(null))
                .body("items[0].data.execution_id", equalTo(run.executionId));
        JsonNode after = given().get("/api/executions/" + run.executionId + "?at_sequence=1").then()
                .statusCode(200).extract().as(JsonNode.class);
        assertThat((Object) after).isEqualTo(before);
        given().get("/api/executions/" + run.executionId + "/verify").then().log().ifValidationFails().statusCode(200)
                .body("result", equalTo("same"));
    }

    @Test
    void version1RowsAsTheCodeBeforeIssue11StoredThemInsertedWithSqlTimeTravelAndVerify() {
        Fixture old = HistoryFixtures.named("v1-retries-failed-fan-out");
        String wf = given().contentType(ContentType.JSON).body(old.definition().toString()).post("/api/workflows")
                .then().statusCode(201).extract().path("workflow_id");
        String id = engine.newExecutionId();
        String oldId = old.events().get(0).payload().get("execution_id").asText();
        for (Stored s : old.events()) {
            String payload = s.payload().toString().replace(oldId, id).replace(old.workflowId(), wf);
            pool.preparedQuery("insert into events (stream_id, stream_version, event_type, schema_version, payload,"
                            + " occurred_at) values ($1, $2, $3, $4, $5::text::json, $6)")
                    .execute(Tuple.of(StreamIds.execution(id), s.sequence(), s.type(), (short) s.schemaVersion(),
                            payload, java.time.OffsetDateTime.parse(s.payload().get("at").asText())))
                    .await().indefinitely();
        }
        String url = "/api/executions/" + id;
        given().get(url + "?at_sequence=1").then().statusCode(200).body("execution_id", equalTo(id))
                .body("workflow_id", equalTo(wf)).body("status", equalTo("RUNNING"));
        given().get(url + "?at_sequence=" + old.events().size()).then().statusCode(200)
                .body("status", equalTo("FAILED")).body("task_executions.e.error.type", equalTo("UPSTREAM_FAILED"))
                .body("task_executions.f.attempts", equalTo(3));
        given().get(url + "/verify").then().statusCode(200).body("result", equalTo("same"))
                .body("events", equalTo(old.events().size()));
    }

    @Test
    void aForEachOfSleepItemsAndOneWhoseItemFailsAreTheSame() {
        Run run = Run.of("""
                {"name": "history-for-each", "output": {"all": "${tasks.each.output}", "n": "${tasks.n.output.n}"},
                 "tasks": [
                   {"id": "each", "component": "core", "action": "sleep", "for_each": "${input.items}",
                    "max_parallel": 2, "input": {"ms": "${item}"}},
                   {"id": "n", "component": "core", "action": "echo", "depends_on": ["each"],
                    "input": {"n": "${size(tasks.each.output)}"}}]}""", "{\"items\": [5, 1, 5, 1]}");
        JsonPath done = Api.awaitFinished(run.executionId);
        assertThat(done.getString("status")).isEqualTo("COMPLETED");
        assertThat(done.getInt("output.n")).isEqualTo(4);
        checkAndRecord(run, "for-each", "a for_each of 4 core.sleep items, 2 at a time (ForEachExpanded, items"
                + " each[0..3]); its task completes with the list, a downstream task reads its size");

        Run failing = Run.of("""
                {"name": "history-for-each-failed", "tasks": [
                   {"id": "each", "component": "core", "action": "sleep", "for_each": "${input.items}",
                    "max_parallel": 1, "input": {"ms": "${item}"}}]}""", "{\"items\": [0, -1, 5, 5]}");
        assertThat(Api.awaitFinished(failing.executionId).getString("status")).isEqualTo("FAILED");
        checkAndRecord(failing, "for-each-failed", "a for_each whose item 1 fails: the items not yet run are"
                + " canceled (FOR_EACH_FAILED), then the task and the execution fail");
    }

    // ------------------------------------------------------------------ helpers

    /** A workflow defined and one execution of it started. */
    record Run(String workflowId, String executionId, String definition) {
        static Run of(String definition, String input) {
            String wf = given().contentType(ContentType.JSON).body(definition).post("/api/workflows").then()
                    .statusCode(201).extract().path("workflow_id");
            String id = given().contentType(ContentType.JSON)
                    .body("{\"workflow_id\": \"" + wf + "\", \"input\": " + input + "}")
                    .post("/api/executions").then().statusCode(201).extract().path("execution_id");
            return new Run(wf, id, definition);
        }
    }

    private WorkflowDefinition definition(Run run) {
        return definitions.definition(run.workflowId, 1).await().indefinitely();
    }

    /** Verify says "same", the time travel to the last event is the view, and the history is recorded if asked. */
    private void checkAndRecord(Run run, String name, String description) {
        List<Stored> events = storedEvents(run.executionId);
        given().get("/api/executions/" + run.executionId + "/verify").then().log().ifValidationFails().statusCode(200)
                .body("execution_id", equalTo(run.executionId)).body("events", equalTo(events.size()))
                .body("result", equalTo("same")).body("divergence", equalTo(null));
        record(run, name, description);
    }

    private void record(Run run, String name, String description) {
        if (RECORD) {
            List<Stored> events = storedEvents(run.executionId);
            HistoryFixtures.write(new Fixture(name, description, run.workflowId,
                    events.get(0).payload().get("workflow_version").asInt(), readTree(run.definition), events));
        }
    }

    /** The execution's events exactly as stored. */
    private List<Stored> storedEvents(String executionId) {
        List<Stored> out = new ArrayList<>();
        for (Row r : pool.preparedQuery("select stream_version, event_type, schema_version, payload::text from events"
                + " where stream_id = $1 order by stream_version").execute(Tuple.of(StreamIds.execution(executionId)))
                .await().indefinitely()) {
            out.add(new Stored(r.getInteger(0), r.getString(1), r.getShort(2), readTree(r.getString(3))));
        }
        return out;
    }

    private static ExecutionEvent decode(Stored s) {
        return (ExecutionEvent) EventCodec.decode(s.type(), s.schemaVersion(), s.payload().toString());
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
