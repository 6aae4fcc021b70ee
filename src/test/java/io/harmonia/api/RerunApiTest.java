package io.harmonia.api;

import static io.harmonia.api.Api.awaitFinished;
import static io.harmonia.api.Api.awaitStatus;
import static io.harmonia.api.Api.createWorkflow;
import static io.harmonia.api.Api.events;
import static io.harmonia.api.Api.execution;
import static io.harmonia.api.Api.json;
import static io.harmonia.api.Api.start;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * POST /api/executions/{id}/rerun: a finished execution runs again in place, from a task and what is downstream of
 * it, or from what failed; upstream outputs are kept, re-run tasks get a new run, the history keeps every run.
 */
@QuarkusTest
class RerunApiTest {

    /**
     * A task that fails until {@code input.until} (its sleep of -1 ms is refused) and succeeds after (a sleep of 0):
     * the failure a re-run repairs.
     */
    private static final String FLAKY = "{'id': '%s', 'component': 'core', 'action': 'sleep', %s"
            + "'input': {'ms': '${timestamp(now()) < timestamp(input.until) ? -1 : 0}'}}";

    private static String flaky(String id, String dependsOn) {
        return String.format(FLAKY, id, dependsOn == null ? "" : "'depends_on': ['" + dependsOn + "'], ");
    }

    private static JsonPath rerun(String id, String body, int status) {
        var req = given();
        if (body != null) {
            req = req.contentType(ContentType.JSON).body(json(body));
        }
        return req.post("/api/executions/" + id + "/rerun").then().statusCode(status).extract().jsonPath();
    }

    /** Starts with an input whose flaky tasks fail; returns once the execution failed and the tasks would pass. */
    private static String failedOnce(String wf) {
        Instant until = Instant.now().plusMillis(1500);
        String id = start(wf, "{'until': '" + until + "'}");
        assertThat(awaitFinished(id).getString("status")).isEqualTo("FAILED");
        await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(until));
        return id;
    }

    /** The (task, run) of every TaskStarted of an execution, in order. */
    private static List<String> starts(String id) {
        JsonPath ev = events(id);
        List<Map<String, Object>> items = ev.getList("items");
        return items.stream().filter(e -> "TaskStarted".equals(e.get("type")))
                .map(e -> {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> data = (Map<String, Object>) e.get("data");
                    return data.get("task_id") + "#" + data.get("run");
                }).toList();
    }

    @Test
    void aFailedFanOutReRunsOnlyTheFailedBranchFromItWithRunTwoAndKeepsUpstreamOutputs() {
        String wf = createWorkflow("{'name': 'fan-out', 'tasks': ["
                + "{'id': 'a', 'component': 'core', 'action': 'echo', 'input': {'v': 1}},"
                + flaky("b", "a") + ","
                + "{'id': 'c', 'component': 'core', 'action': 'echo', 'depends_on': ['a'], 'input': {'v': 3}},"
                + "{'id': 'join', 'component': 'core', 'action': 'echo', 'depends_on': ['b', 'c']}]}");
        String id = failedOnce(wf);
        JsonPath before = execution(id);
        assertThat(before.getString("task_executions.b.status")).isEqualTo("FAILED");
        assertThat(before.getString("task_executions.join.status")).isEqualTo("SKIPPED");

        rerun(id, "{'from_task': 'b'}", 200);
        JsonPath after = awaitFinished(id);

        assertThat(after.getString("status")).isEqualTo("COMPLETED");
        assertThat(after.getInt("task_executions.b.run")).isEqualTo(2);
        assertThat(after.getString("task_executions.b.status")).isEqualTo("COMPLETED");
        assertThat(after.getString("task_executions.join.status")).isEqualTo("COMPLETED");
        // upstream and the other branch are kept as they were: not run again, same output and times
        for (String kept : List.of("a", "c")) {
            assertThat(after.getInt("task_executions." + kept + ".run")).isEqualTo(1);
            assertThat(after.getString("task_executions." + kept + ".end_time"))
                    .isEqualTo(before.getString("task_executions." + kept + ".end_time"));
            assertThat((Object) after.get("task_executions." + kept + ".output"))
                    .isEqualTo(before.get("task_executions." + kept + ".output"));
        }
        // the history keeps run 1: a, b and c started once in run 1; b again in run 2, then join
        List<String> starts = starts(id);
        assertThat(starts).containsExactlyInAnyOrder("a#1", "b#1", "c#1", "b#2", "join#2");
        assertThat(starts.indexOf("b#2")).isGreaterThan(starts.indexOf("b#1"));
        List<String> types = events(id).getList("items.type");
        assertThat(types).containsSubsequence("ExecutionFailed", "ExecutionRerun", "ExecutionCompleted");
        assertThat(after.getInt("reruns")).isEqualTo(1);
    }

    @Test
    void aReRunWithoutFromTaskReRunsWhatFailedAndWhatItSkipped() {
        String wf = createWorkflow("{'name': 'redrive', 'tasks': ["
                + "{'id': 'x', 'component': 'core', 'action': 'echo'},"
                + flaky("y", null) + ","
                + "{'id': 'z', 'component': 'core', 'action': 'echo', 'depends_on': ['y']}]}");
        String id = failedOnce(wf);

        JsonPath answer = given().post("/api/executions/" + id + "/rerun").then().statusCode(200)
                .body("execution_id", equalTo(id)).extract().jsonPath();
        assertThat(answer.getList("rerun_tasks", String.class)).containsExactly("y", "z");
        assertThat((Object) answer.get("from_task")).isNull();
        assertThat(answer.getString("status")).isIn("RUNNING", "COMPLETED");

        JsonPath done = awaitFinished(id);
        assertThat(done.getString("status")).isEqualTo("COMPLETED");
        assertThat(done.getInt("task_executions.x.run")).isEqualTo(1);
        assertThat(done.getInt("task_executions.y.run")).isEqualTo(2);
        assertThat(done.getInt("task_executions.z.run")).isEqualTo(2);
    }

    @Test
    void aCompletedExecutionReRunsFromATaskAndEverythingDownstream() {
        String wf = createWorkflow("""
                {'name': 'chain', 'tasks': [
                  {'id': 'a', 'component': 'core', 'action': 'echo', 'input': {'v': '${input.v}'}},
                  {'id': 'b', 'component': 'core', 'action': 'echo', 'depends_on': ['a'],
                   'input': {'v': '${tasks.a.output.v}'}},
                  {'id': 'c', 'component': 'core', 'action': 'echo', 'depends_on': ['b']},
                  {'id': 'side', 'component': 'core', 'action': 'echo', 'depends_on': ['a']}]}""");
        String id = start(wf, "{'v': 7}");
        assertThat(awaitFinished(id).getString("status")).isEqualTo("COMPLETED");

        // nothing failed: a re-run without from_task has nothing to do
        given().post("/api/executions/" + id + "/rerun").then().statusCode(409)
                .contentType("application/problem+json").body("execution_status", equalTo("COMPLETED"))
                .body("detail", containsString("from_task"));

        JsonPath answer = rerun(id, "{'from_task': 'b'}", 200);
        assertThat(answer.getList("rerun_tasks", String.class)).containsExactly("b", "c");
        assertThat(answer.getString("from_task")).isEqualTo("b");
        JsonPath done = awaitFinished(id);
        assertThat(done.getString("status")).isEqualTo("COMPLETED");
        assertThat(done.getInt("task_executions.b.output.v")).isEqualTo(7);
        assertThat(done.getInt("task_executions.b.run")).isEqualTo(2);
        assertThat(done.getInt("task_executions.c.run")).isEqualTo(2);
        assertThat(done.getInt("task_executions.side.run")).isEqualTo(1);
        assertThat(starts(id)).containsExactlyInAnyOrder("a#1", "b#1", "c#1", "side#1", "b#2", "c#2");
    }

    @Test
    void aRunningOrPausedExecutionIsNotReRun() {
        String wf = createWorkflow("""
                {'name': 'long', 'tasks': [
                  {'id': 'nap', 'component': 'core', 'action': 'sleep', 'input': {'ms': 60000}}]}""");
        String id = start(wf, "{}");
        awaitStatus(id, Duration.ofSeconds(10), "RUNNING");
        given().contentType(ContentType.JSON).body(json("{'from_task': 'nap'}"))
                .post("/api/executions/" + id + "/rerun").then().statusCode(409)
                .contentType("application/problem+json").body("execution_status", equalTo("RUNNING"))
                .body("detail", containsString("RUNNING"));
        given().post("/api/executions/" + id + "/pause").then().statusCode(200);
        given().post("/api/executions/" + id + "/rerun").then().statusCode(409)
                .contentType("application/problem+json").body("execution_status", equalTo("PAUSED"));
        given().post("/api/executions/" + id + "/cancel").then().statusCode(200);
        assertThat(awaitFinished(id).getString("status")).isEqualTo("CANCELED");
        // canceled: now it may run again, the canceled task with run 2
        rerun(id, null, 200);
        assertThat(execution(id).getInt("task_executions.nap.run")).isEqualTo(2);
        given().post("/api/executions/" + id + "/cancel").then().statusCode(200);
    }

    @Test
    void anUnknownTaskOrABadBodyIs422AndAnUnknownExecution404() {
        String wf = createWorkflow(WorkflowApiTest.SEED);
        String id = start(wf, "{'n': 1}");
        awaitFinished(id);
        given().contentType(ContentType.JSON).body(json("{'from_task': 'nope'}"))
                .post("/api/executions/" + id + "/rerun").then().statusCode(422)
                .contentType("application/problem+json").body("errors.pointer", hasItem("/from_task"))
                .body("errors.detail", hasItem(containsString("'nope'")));
        given().contentType(ContentType.JSON).body(json("{'from_task': 5, 'force': true}"))
                .post("/api/executions/" + id + "/rerun").then().statusCode(422)
                .contentType("application/problem+json").body("errors.pointer", hasItems("/from_task", "/force"));
        given().contentType(ContentType.JSON).body("\"b\"")
                .post("/api/executions/" + id + "/rerun").then().statusCode(422);
        given().post("/api/executions/" + UUID.randomUUID() + "/rerun").then().statusCode(404)
                .contentType("application/problem+json");
        given().post("/api/executions/nope/rerun").then().statusCode(404);
    }
}
