package io.harmonia.projection.executions;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.harmonia.api.ApiAccess;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The view tells the truth about the tasks of a finished execution: each is in a final state (it kept RUNNING or
 * PENDING for ever under a CANCELED or timed-out execution), in the view and in the events; and a task that fails
 * while it is decided shows its run.
 */
@QuarkusTest
class FinishedExecutionViewApiTest {

    static final String LONG = """
            {"name": "long", %s "tasks": [
              {"id": "slow", "component": "core", "action": "sleep", "input": {"ms": 60000}},
              {"id": "after", "component": "core", "action": "echo", "depends_on": ["slow"]},
              {"id": "quick", "component": "core", "action": "echo"}]}""";

    static JsonPath view(String id) {
        return given().get("/api/executions/" + id).then().statusCode(200).extract().jsonPath();
    }

    static JsonPath awaitStatus(String id, String status) {
        JsonPath[] last = new JsonPath[1];
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
            last[0] = view(id);
            return status.equals(last[0].getString("status"));
        });
        return last[0];
    }

    static List<String> eventTypes(String id) {
        return given().get("/api/executions/" + id + "/events?limit=1000").then().statusCode(200).extract()
                .jsonPath().getList("items.type");
    }

    @Test
    void afterCancelEveryTaskIsFinal() {
        String wf = ApiAccess.createWorkflow(LONG.formatted(""));
        String id = ApiAccess.start(wf, "{}");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> "RUNNING".equals(view(id).getString("task_executions.slow.status")));
        given().post("/api/executions/" + id + "/cancel").then().statusCode(200);

        JsonPath done = awaitStatus(id, "CANCELED");
        assertThat(done.getString("task_executions.slow.status")).isEqualTo("CANCELED");
        assertThat(done.getString("task_executions.slow.error.type")).isEqualTo("EXECUTION_CANCELED");
        assertThat(done.getString("task_executions.slow.end_time")).isNotNull();
        assertThat(done.getInt("task_executions.slow.attempts")).isEqualTo(1);
        assertThat(done.getString("task_executions.after.status")).isEqualTo("SKIPPED");
        assertThat(done.getString("task_executions.after.error.type")).isEqualTo("EXECUTION_CANCELED");
        assertThat(done.getString("task_executions.quick.status")).isEqualTo("COMPLETED");
        assertThat(eventTypes(id)).containsSubsequence("TaskCanceled", "TaskSkipped", "ExecutionCanceled")
                .endsWith("ExecutionCanceled");
    }

    @Test
    void afterTheWorkflowTimeoutEveryTaskIsFinal() {
        String wf = ApiAccess.createWorkflow(LONG.formatted("\"timeout_ms\": 300,"));
        String id = ApiAccess.start(wf, "{}");

        JsonPath done = awaitStatus(id, "FAILED");
        assertThat(done.getString("error.type")).isEqualTo("TIMEOUT");
        Map<String, Map<String, Object>> tasks = done.getMap("task_executions");
        assertThat(tasks.values()).extracting(t -> t.get("status"))
                .containsExactlyInAnyOrder("CANCELED", "SKIPPED", "COMPLETED");
        assertThat(done.getString("task_executions.slow.error.type")).isEqualTo("EXECUTION_TIMED_OUT");
        assertThat(done.getString("task_executions.after.error.type")).isEqualTo("EXECUTION_TIMED_OUT");
        assertThat(eventTypes(id)).containsSubsequence("TaskCanceled", "TaskSkipped", "ExecutionFailed");
    }

    @Test
    void aTaskThatFailsWhileItsInputIsResolvedShowsRunOneAndNoAttempt() {
        String wf = ApiAccess.createWorkflow("""
                {"name": "bad-input", "tasks": [{"id": "a", "component": "core", "action": "echo",
                  "input": {"v": "${input.missing.deeper}"}}]}""");
        JsonPath done = awaitStatus(ApiAccess.start(wf, "{}"), "FAILED");
        assertThat(done.getString("task_executions.a.status")).isEqualTo("FAILED");
        assertThat(done.getString("task_executions.a.error.type")).isEqualTo("EXPRESSION_ERROR");
        assertThat(done.getInt("task_executions.a.run")).isEqualTo(1);
        assertThat(done.getInt("task_executions.a.attempts")).isZero();
        assertThat(done.getInt("task_executions.a.retries")).isZero();
    }
}
