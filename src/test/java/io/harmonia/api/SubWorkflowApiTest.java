package io.harmonia.api;

import static io.harmonia.api.Api.awaitFinished;
import static io.harmonia.api.Api.awaitStatus;
import static io.harmonia.api.Api.createWorkflow;
import static io.harmonia.api.Api.execution;
import static io.harmonia.api.Api.start;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Sub-workflows ({@code workflow.run}): a task or step starts a child execution, waits for it and takes its output or
 * its error; cancel, pause and resume propagate to the child; the views link parent and child; nesting is bounded.
 */
@QuarkusTest
class SubWorkflowApiTest {

    private static final String DOUBLER = """
            {'name': 'doubler', 'output': {'total': '${tasks.double.output.v}'},
             'tasks': [{'id': 'double', 'component': 'core', 'action': 'echo', 'input': {'v': '${input.n * 2}'}}]}""";

    /** A child DAG: doubles input.n. */
    private static String doubler() {
        return createWorkflow(DOUBLER);
    }

    /** A child that sleeps {@code ms}, then gives input.n as its total. */
    private static String sleeper(long ms) {
        return createWorkflow("""
                {'name': 'sleeper', 'output': {'total': '${tasks.echo.output.n}'},
                 'tasks': [{'id': 'nap', 'component': 'core', 'action': 'sleep', 'input': {'ms': %d}},
                           {'id': 'echo', 'component': 'core', 'action': 'echo', 'input': {'n': '${input.n}'},
                            'depends_on': ['nap']}]}""".formatted(ms));
    }

    /** A parent DAG: runs {@code child} with n, then adds 1 to its total. */
    private static String parentOf(String child) {
        return createWorkflow("""
                {'name': 'parent', 'output': {'result': '${tasks.after.output.v}'},
                 'tasks': [
                   {'id': 'sub', 'component': 'workflow', 'action': 'run',
                    'input': {'workflow_id': '%s', 'input': {'n': '${input.n}'}}},
                   {'id': 'after', 'component': 'core', 'action': 'echo',
                    'input': {'v': '${tasks.sub.output.total + 1}'}, 'depends_on': ['sub']}]}""".formatted(child));
    }

    private static String childOf(String parentId, String taskId) {
        String[] child = new String[1];
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            child[0] = execution(parentId).getString("task_executions." + taskId + ".child_execution_id");
            return child[0] != null && given().get("/api/executions/" + child[0]).statusCode() == 200;
        });
        return child[0];
    }

    private static void post(String id, String what) {
        given().post("/api/executions/" + id + "/" + what).then().statusCode(200);
    }

    @Test
    void aDagTaskRunsAChildAndItsOutputFlowsDownstream() {
        String child = doubler();
        String parentId = start(parentOf(child), "{'n': 20}");
        JsonPath parent = awaitFinished(parentId);
        assertThat(parent.getString("status")).isEqualTo("COMPLETED");
        assertThat(parent.getInt("output.result")).isEqualTo(41);
        assertThat(parent.getString("parent")).isNull();

        String childId = parent.getString("task_executions.sub.child_execution_id");
        assertThat(parent.getInt("task_executions.sub.output.total")).isEqualTo(40);
        JsonPath c = execution(childId);
        assertThat(c.getString("status")).isEqualTo("COMPLETED");
        assertThat(c.getString("workflow_id")).isEqualTo(child);
        assertThat(c.getMap("parent")).isEqualTo(Map.of("execution_id", parentId, "task_id", "sub", "run", 1,
                "depth", 1));

        List<String> children = given().get("/api/executions?parent_id=" + parentId).then().statusCode(200)
                .extract().jsonPath().getList("items.execution_id");
        assertThat(children).containsExactly(childId);
        given().get("/api/executions?parent_id=nope").then().statusCode(400);

        // today's engine makes every stored decision again, the child's end (ChildFinished) included
        for (String id : List.of(parentId, childId)) {
            given().get("/api/executions/" + id + "/verify").then().statusCode(200)
                    .body("result", org.hamcrest.Matchers.equalTo("same"));
        }
        if (Boolean.getBoolean("harmonia.histories.record")) {
            recordFixture(childId, child, DOUBLER, "child", "a sub-workflow (workflow.run) child of a DAG task:"
                    + " its ExecutionStarted names its parent (execution, task, run, depth)");
        }
    }

    private static void recordFixture(String executionId, String workflowId, String definition, String name,
            String description) {
        try {
            com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
            com.fasterxml.jackson.databind.JsonNode page = m.readTree(given().get("/api/executions/" + executionId
                    + "/events?limit=1000").then().extract().asString());
            List<io.harmonia.domain.HistoryFixtures.Stored> stored = new java.util.ArrayList<>();
            for (com.fasterxml.jackson.databind.JsonNode e : page.get("items")) {
                stored.add(new io.harmonia.domain.HistoryFixtures.Stored(e.get("sequence").asInt(),
                        e.get("type").asText(), e.get("schema_version").asInt(), e.get("data")));
            }
            io.harmonia.domain.HistoryFixtures.write(new io.harmonia.domain.HistoryFixtures.Fixture(name,
                    description, workflowId, 1, m.readTree(Api.json(definition)), stored));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aTaskTimeoutCancelsTheChildAndTheRetryStartsANewOne() {
        String wf = createWorkflow("""
                {'name': 'impatient', 'tasks': [{'id': 'sub', 'component': 'workflow', 'action': 'run',
                  'timeout_ms': 1500, 'retry': {'max_attempts': 2, 'initial_delay_ms': 10},
                  'input': {'workflow_id': '%s', 'input': {'n': 1}}}]}""".formatted(sleeper(60_000)));
        String parentId = start(wf, "{}");
        String first = childOf(parentId, "sub");
        JsonPath parent = awaitFinished(parentId);
        assertThat(parent.getString("status")).isEqualTo("FAILED");
        assertThat(parent.getString("task_executions.sub.error.type")).isEqualTo("TIMEOUT");
        assertThat(parent.getInt("task_executions.sub.attempts")).isEqualTo(2);
        String second = parent.getString("task_executions.sub.child_execution_id");
        assertThat(second).isNotEqualTo(first);
        for (String c : List.of(first, second)) {
            JsonPath child = awaitStatus(c, Duration.ofSeconds(10), "CANCELED");
            assertThat(child.getString("error.message")).contains(parentId).contains("timed out");
        }
        assertThat(given().get("/api/executions?parent_id=" + parentId).then().extract().jsonPath()
                .getList("items.execution_id")).containsExactlyInAnyOrder(first, second);
    }

    @Test
    void aStateMachineStepOfTypeWorkflowRunRunsAChild() {
        String child = doubler();
        String wf = createWorkflow("""
                {'name': 'steps parent', 'output': {'r': '${tasks.call.output.total}'},
                 'steps': [{'id': 'call', 'type': 'workflow.run',
                            'config': {'workflow_id': '%s', 'version': 1, 'input': {'n': '${input.n}'}}}]}"""
                .formatted(child));
        JsonPath parent = awaitFinished(start(wf, "{'n': 5}"));
        assertThat(parent.getString("status")).isEqualTo("COMPLETED");
        assertThat(parent.getInt("output.r")).isEqualTo(10);
    }

    @Test
    void aFailedChildFailsTheParentsTaskWithItsErrorType() {
        String child = createWorkflow("""
                {'name': 'failing child', 'tasks': [{'id': 'boom', 'component': 'core', 'action': 'fail',
                  'input': {'error_type': 'CLIENT_ERROR', 'message': 'no such order', 'retriable': false}}]}""");
        JsonPath parent = awaitFinished(start(parentOf(child), "{'n': 1}"));
        assertThat(parent.getString("status")).isEqualTo("FAILED");
        assertThat(parent.getString("task_executions.sub.status")).isEqualTo("FAILED");
        assertThat(parent.getString("task_executions.sub.error.type")).isEqualTo("CLIENT_ERROR");
        String childId = parent.getString("task_executions.sub.child_execution_id");
        assertThat(parent.getString("task_executions.sub.error.message")).contains(childId).contains("no such order");
        assertThat(parent.getString("task_executions.after.status")).isEqualTo("SKIPPED");
        assertThat(execution(childId).getString("status")).isEqualTo("FAILED");
    }

    @Test
    void anUnknownWorkflowFailsTheTaskWithAValidationError() {
        String missing = "0badc0de-0000-4000-8000-000000000000";
        JsonPath parent = awaitFinished(start(parentOf(missing), "{'n': 1}"));
        assertThat(parent.getString("status")).isEqualTo("FAILED");
        assertThat(parent.getString("task_executions.sub.error.type")).isEqualTo("VALIDATION_ERROR");
        assertThat(parent.getString("task_executions.sub.error.message")).contains(missing);
        assertThat(parent.getInt("task_executions.sub.attempts")).isEqualTo(1);
    }

    @Test
    void aChildInputThatDoesNotMatchItsSchemaFailsTheTaskWithAValidationError() {
        String child = createWorkflow("""
                {'name': 'typed child', 'input': {'type': 'object', 'required': ['n'],
                  'properties': {'n': {'type': 'integer'}}},
                 'output': {'total': '${input.n}'},
                 'tasks': [{'id': 'e', 'component': 'core', 'action': 'echo', 'input': {}}]}""");
        String wf = createWorkflow("""
                {'name': 'bad input', 'tasks': [{'id': 'sub', 'component': 'workflow', 'action': 'run',
                  'input': {'workflow_id': '%s', 'input': {'n': 'seven'}}}]}""".formatted(child));
        JsonPath parent = awaitFinished(start(wf, "{}"));
        assertThat(parent.getString("task_executions.sub.error.type")).isEqualTo("VALIDATION_ERROR");
        assertThat(parent.getString("task_executions.sub.error.message")).contains("/input/n").contains(child);
        assertThat(given().get("/api/executions/" + parent.getString("task_executions.sub.child_execution_id"))
                .statusCode()).as("no child started").isEqualTo(404);
    }

    @Test
    void cancelingTheParentCancelsTheChild() {
        String parentId = start(parentOf(sleeper(60_000)), "{'n': 1}");
        String childId = childOf(parentId, "sub");
        awaitStatus(childId, Duration.ofSeconds(10), "RUNNING");
        post(parentId, "cancel");
        JsonPath child = awaitStatus(childId, Duration.ofSeconds(10), "CANCELED");
        assertThat(child.getString("error.message")).contains(parentId);
        assertThat(execution(parentId).getString("status")).isEqualTo("CANCELED");
    }

    @Test
    void pauseAndResumePropagateToTheChild() {
        String parentId = start(parentOf(sleeper(1500)), "{'n': 3}");
        String childId = childOf(parentId, "sub");
        awaitStatus(childId, Duration.ofSeconds(10), "RUNNING");
        post(parentId, "pause");
        awaitStatus(childId, Duration.ofSeconds(10), "PAUSED");
        post(parentId, "resume");
        awaitStatus(childId, Duration.ofSeconds(10), "RUNNING", "COMPLETED");
        JsonPath parent = awaitFinished(parentId);
        assertThat(parent.getString("status")).isEqualTo("COMPLETED");
        assertThat(parent.getInt("output.result")).isEqualTo(4);
        assertThat(execution(childId).getString("status")).isEqualTo("COMPLETED");
    }

    @Test
    void childrenNestThreeLevels() {
        String leaf = doubler();
        String middle = createWorkflow("""
                {'name': 'middle', 'output': {'total': '${tasks.inner.output.total}'},
                 'tasks': [{'id': 'inner', 'component': 'workflow', 'action': 'run',
                            'input': {'workflow_id': '%s', 'input': {'n': '${input.n}'}}}]}""".formatted(leaf));
        String topId = start(parentOf(middle), "{'n': 7}");
        JsonPath top = awaitFinished(topId);
        assertThat(top.getString("status")).isEqualTo("COMPLETED");
        assertThat(top.getInt("output.result")).isEqualTo(15);
        String middleId = top.getString("task_executions.sub.child_execution_id");
        String leafId = execution(middleId).getString("task_executions.inner.child_execution_id");
        JsonPath l = execution(leafId);
        assertThat(l.getString("parent.execution_id")).isEqualTo(middleId);
        assertThat(l.getInt("parent.depth")).isEqualTo(2);
    }

    @Test
    void aChildDeeperThanMaxDepthFailsWithDepthExceeded() {
        // a workflow that runs itself: each level one deeper, until harmonia.flow.max-depth (10) stops it
        String self = createWorkflow("""
                {'name': 'recursive', 'tasks': [{'id': 'again', 'component': 'workflow', 'action': 'run',
                  'input': {'workflow_id': '${input.self}', 'input': {'self': '${input.self}'}}}]}""");
        JsonPath top = awaitStatus(start(self, "{'self': '" + self + "'}"), Duration.ofSeconds(60), "COMPLETED",
                "FAILED", "CANCELED");
        assertThat(top.getString("status")).isEqualTo("FAILED");
        assertThat(top.getString("error.type")).isEqualTo("DEPTH_EXCEEDED");
        String id = top.getString("execution_id");
        int depth = 0;
        while (true) {
            JsonPath e = execution(id);
            String next = e.getString("task_executions.again.child_execution_id");
            if (given().get("/api/executions/" + next).statusCode() == 404) {
                assertThat(e.getString("task_executions.again.error.message")).contains("at most 10");
                break;
            }
            id = next;
            depth++;
        }
        assertThat(depth).isEqualTo(10);
    }

    @Test
    void theComponentsListDescribesWorkflowRun() {
        given().get("/api/components").then().statusCode(200)
                .body("items.name", org.hamcrest.Matchers.hasItem("workflow"))
                .body("items.find { it.name == 'workflow' }.actions.name", org.hamcrest.Matchers.hasItem("run"));
    }
}
