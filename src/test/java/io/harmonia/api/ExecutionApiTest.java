package io.harmonia.api;

import static io.harmonia.api.Api.awaitFinished;
import static io.harmonia.api.Api.awaitStatus;
import static io.harmonia.api.Api.createWorkflow;
import static io.harmonia.api.Api.json;
import static io.harmonia.api.Api.start;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ExecutionApiTest {

    @Test
    void theSeedWorkflowRunsToCompletionWithItsOutput() {
        String wf = createWorkflow(WorkflowApiTest.SEED);
        String id = start(wf, "{'n': 21}");
        JsonPath done = awaitFinished(id);
        assertThat(done.getString("status")).isEqualTo("COMPLETED");
        assertThat(done.getInt("output.result")).isEqualTo(42);
        assertThat(done.getString("task_executions.task1.status")).isEqualTo("COMPLETED");
        assertThat(done.getInt("task_executions.task2.input.result")).isEqualTo(42);
        assertThat(done.getInt("task_executions.task2.attempts")).isEqualTo(1);
        assertThat(done.getString("end_time")).isNotNull();
    }

    @Test
    void aFalseConditionSkipsTheTaskAndItsDependentsStillRun() {
        String wf = createWorkflow("""
                {'name': 'cond', 'tasks': [
                  {'id': 'a', 'component': 'core', 'action': 'echo', 'condition': 'input.go'},
                  {'id': 'b', 'component': 'core', 'action': 'echo', 'depends_on': ['a'],
                   'input': {'a_status': '${tasks.a.status}'}}]}""");
        JsonPath done = awaitFinished(start(wf, "{'go': false}"));
        assertThat(done.getString("status")).isEqualTo("COMPLETED");
        assertThat(done.getString("task_executions.a.status")).isEqualTo("SKIPPED");
        assertThat(done.getString("task_executions.b.output.a_status")).isEqualTo("SKIPPED");
    }

    @Test
    void independentTasksRunInParallelAndDependentsWaitForAll() {
        String wf = createWorkflow("""
                {'name': 'fan', 'tasks': [
                  {'id': 'a', 'component': 'core', 'action': 'sleep', 'input': {'ms': 600}},
                  {'id': 'b', 'component': 'core', 'action': 'sleep', 'input': {'ms': 600}},
                  {'id': 'c', 'component': 'core', 'action': 'sleep', 'input': {'ms': 600}},
                  {'id': 'join', 'component': 'core', 'action': 'echo', 'depends_on': ['a', 'b', 'c']}]}""");
        JsonPath done = awaitFinished(start(wf, "{}"));
        assertThat(done.getString("status")).isEqualTo("COMPLETED");
        Instant start = Instant.parse(done.getString("start_time"));
        Instant end = Instant.parse(done.getString("end_time"));
        // three 600 ms sleeps in parallel: well under the 1800 ms they would take in a row
        assertThat(Duration.between(start, end)).isBetween(Duration.ofMillis(550), Duration.ofMillis(1500));
        Instant joinStarted = Instant.parse(done.getString("task_executions.join.start_time"));
        for (String t : List.of("a", "b", "c")) {
            assertThat(joinStarted).isAfterOrEqualTo(Instant.parse(done.getString("task_executions." + t + ".end_time")));
        }
    }

    @Test
    void aFailedTaskSkipsItsDownstreamAndFailsTheExecution() {
        String wf = createWorkflow("""
                {'name': 'fails', 'tasks': [
                  {'id': 'boom', 'component': 'core', 'action': 'fail',
                   'input': {'error_type': 'CLIENT_ERROR', 'message': 'no such order'}},
                  {'id': 'after', 'component': 'core', 'action': 'echo', 'depends_on': ['boom']},
                  {'id': 'other', 'component': 'core', 'action': 'echo'}]}""");
        JsonPath done = awaitFinished(start(wf, "{}"));
        assertThat(done.getString("status")).isEqualTo("FAILED");
        assertThat(done.getString("error.type")).isEqualTo("CLIENT_ERROR");
        assertThat(done.getString("error.task_id")).isEqualTo("boom");
        assertThat(done.getString("error.message")).contains("no such order");
        assertThat(done.getString("task_executions.after.status")).isEqualTo("SKIPPED");
        assertThat(done.getString("task_executions.after.error.type")).isEqualTo("UPSTREAM_FAILED");
        assertThat(done.getString("task_executions.other.status")).isEqualTo("COMPLETED");
    }

    @Test
    void retriesBackOffExponentiallyThenFail() {
        String wf = createWorkflow("""
                {'name': 'retries', 'tasks': [
                  {'id': 'flaky', 'component': 'core', 'action': 'fail', 'input': {'error_type': 'SERVER_ERROR'},
                   'retry': {'max_attempts': 3, 'initial_delay_ms': 200, 'backoff_factor': 2, 'jitter': false}}]}""");
        String id = start(wf, "{}");
        JsonPath done = awaitFinished(id);
        assertThat(done.getString("status")).isEqualTo("FAILED");
        assertThat(done.getInt("task_executions.flaky.attempts")).isEqualTo(3);
        List<String> starts = Api.events(id).getList("items.findAll { it.type == 'TaskStarted' }.occurred_at");
        assertThat(starts).hasSize(3);
        Duration first = Duration.between(Instant.parse(starts.get(0)), Instant.parse(starts.get(1)));
        Duration second = Duration.between(Instant.parse(starts.get(1)), Instant.parse(starts.get(2)));
        assertThat(first).isBetween(Duration.ofMillis(190), Duration.ofMillis(1500));
        assertThat(second).isBetween(Duration.ofMillis(390), Duration.ofMillis(2000));
    }

    @Test
    void aTaskOverItsTimeoutFailsWithTimeout() {
        String wf = createWorkflow("""
                {'name': 'slow', 'tasks': [
                  {'id': 'slow', 'component': 'core', 'action': 'sleep', 'input': {'ms': 5000}, 'timeout_ms': 200}]}""");
        JsonPath done = awaitFinished(start(wf, "{}"));
        assertThat(done.getString("status")).isEqualTo("FAILED");
        assertThat(done.getString("error.type")).isEqualTo("TIMEOUT");
        assertThat(done.getString("task_executions.slow.error.type")).isEqualTo("TIMEOUT");
    }

    @Test
    void theWorkflowTimeoutFailsALongExecution() {
        String wf = createWorkflow("""
                {'name': 'wf-timeout', 'timeout_ms': 300, 'tasks': [
                  {'id': 'slow', 'component': 'core', 'action': 'sleep', 'input': {'ms': 5000}}]}""");
        JsonPath done = awaitFinished(start(wf, "{}"));
        assertThat(done.getString("status")).isEqualTo("FAILED");
        assertThat(done.getString("error.type")).isEqualTo("TIMEOUT");
    }

    @Test
    void pauseHoldsNewTasksUntilResumeAndCancelStops() {
        String wf = createWorkflow("""
                {'name': 'pausable', 'tasks': [
                  {'id': 'a', 'component': 'core', 'action': 'sleep', 'input': {'ms': 300}},
                  {'id': 'b', 'component': 'core', 'action': 'echo', 'depends_on': ['a']}]}""");
        String id = start(wf, "{}");
        given().post("/api/executions/" + id + "/pause").then().statusCode(200).body("status", equalTo("PAUSED"));
        given().post("/api/executions/" + id + "/pause").then().statusCode(409)
                .contentType("application/problem+json").body("execution_status", equalTo("PAUSED"));
        // a finishes while paused; b is scheduled but does not start
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> "COMPLETED".equals(Api.execution(id).getString("task_executions.a.status")));
        JsonPath paused = Api.execution(id);
        assertThat(paused.getString("status")).isEqualTo("PAUSED");
        assertThat(paused.getString("task_executions.b.status")).isEqualTo("PENDING");
        assertThat(paused.getString("task_executions.b.start_time")).isNull();
        given().post("/api/executions/" + id + "/resume").then().statusCode(200);
        assertThat(awaitFinished(id).getString("status")).isEqualTo("COMPLETED");
        given().post("/api/executions/" + id + "/cancel").then().statusCode(409)
                .body("detail", containsString("COMPLETED"));

        String other = start(wf, "{}");
        given().post("/api/executions/" + other + "/terminate").then().statusCode(200)
                .body("status", equalTo("CANCELED"));
        assertThat(Api.execution(other).getString("status")).isEqualTo("CANCELED");
    }

    @Test
    void anIdempotencyKeyReturnsTheSameExecution() {
        String wf = createWorkflow(WorkflowApiTest.SEED);
        String key = "order-" + System.nanoTime();
        String body = json("{'workflow_id': '" + wf + "', 'input': {'n': 1}}");
        String first = given().contentType(ContentType.JSON).header("Idempotency-Key", key).body(body)
                .post("/api/executions").then().statusCode(201).extract().path("execution_id");
        String second = given().contentType(ContentType.JSON).header("Idempotency-Key", key).body(body)
                .post("/api/executions").then().statusCode(201).header("Idempotent-Replayed", "true")
                .extract().path("execution_id");
        assertThat(second).isEqualTo(first);
        given().get("/api/executions?workflow_id=" + wf).then().body("total", equalTo(1));
    }

    @Test
    void concurrentStartsWithOneIdempotencyKeyMakeOneExecution() throws Exception {
        String wf = createWorkflow(WorkflowApiTest.SEED);
        String key = "burst-" + System.nanoTime();
        String body = json("{'workflow_id': '" + wf + "', 'input': {'n': 3}}");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<String>> ids = new java.util.ArrayList<>();
            for (int i = 0; i < 16; i++) {
                ids.add(pool.submit(() -> given().contentType(ContentType.JSON).header("Idempotency-Key", key)
                        .body(body).post("/api/executions").then().statusCode(201).extract()
                        .<String>path("execution_id")));
            }
            java.util.Set<String> distinct = new java.util.HashSet<>();
            for (var f : ids) {
                distinct.add(f.get(30, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertThat(distinct).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
        given().get("/api/executions?workflow_id=" + wf).then().body("total", equalTo(1));
    }

    @Test
    void inputIsValidatedAgainstTheWorkflowSchema() {
        String wf = createWorkflow(WorkflowApiTest.SEED);
        given().contentType(ContentType.JSON).body(json("{'workflow_id': '" + wf + "', 'input': {'n': 'x'}}"))
                .post("/api/executions").then().statusCode(422).contentType("application/problem+json")
                .body("errors.pointer", hasItem("/input/n"));
        given().contentType(ContentType.JSON).body(json("{'workflow_id': '" + wf + "', 'input': {}}"))
                .post("/api/executions").then().statusCode(422).body("errors.detail", hasItem(containsString("n")));
        given().contentType(ContentType.JSON).body(json("{'workflow_id': 'nope', 'extra': 1}"))
                .post("/api/executions").then().statusCode(422)
                .body("errors.pointer", hasItem("/workflow_id")).body("errors.pointer", hasItem("/extra"));
        given().contentType(ContentType.JSON).body(json("{'workflow_id': '" + java.util.UUID.randomUUID() + "'}"))
                .post("/api/executions").then().statusCode(404);
    }

    @Test
    void theEventHistoryIsInOrderAndPaged() {
        String wf = createWorkflow(WorkflowApiTest.SEED);
        String id = start(wf, "{'n': 2}");
        awaitFinished(id);
        JsonPath all = Api.events(id);
        List<String> types = all.getList("items.type");
        assertThat(types).containsExactly("ExecutionStarted", "TaskScheduled", "TaskStarted", "TaskCompleted",
                "TaskScheduled", "TaskStarted", "TaskCompleted", "ExecutionCompleted");
        assertThat(all.getList("items.sequence", Integer.class)).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        JsonPath page = given().get("/api/executions/" + id + "/events?after=3&limit=2").then().statusCode(200)
                .extract().jsonPath();
        assertThat(page.getList("items.sequence", Integer.class)).containsExactly(4, 5);
        assertThat(page.getInt("next_after")).isEqualTo(5);
    }

    @Test
    void listFiltersByStatusAndWorkflowNewestFirst() {
        String wf = createWorkflow(WorkflowApiTest.SEED);
        String a = start(wf, "{'n': 1}");
        awaitFinished(a);
        String b = start(wf, "{'n': 2}");
        awaitFinished(b);
        given().get("/api/executions?workflow_id=" + wf + "&status=COMPLETED").then().statusCode(200)
                .body("total", equalTo(2)).body("items[0].execution_id", equalTo(b))
                .body("items[1].execution_id", equalTo(a));
        given().get("/api/executions?workflow_id=" + wf + "&offset=5").then().statusCode(200)
                .body("total", equalTo(2)).body("items", org.hamcrest.Matchers.empty());
        given().get("/api/executions?status=BOGUS").then().statusCode(400).contentType("application/problem+json");
        given().get("/api/executions/" + java.util.UUID.randomUUID()).then().statusCode(404);
        given().post("/api/executions/" + java.util.UUID.randomUUID() + "/pause").then().statusCode(404);
    }
}
