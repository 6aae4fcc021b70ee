package io.harmonia.api;

import static io.harmonia.api.Api.awaitFinished;
import static io.harmonia.api.Api.awaitStatus;
import static io.harmonia.api.Api.createWorkflow;
import static io.harmonia.api.Api.json;
import static io.harmonia.api.Api.start;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * {@code /api/checkpoints}: take a checkpoint of an execution, read it, list an execution's, and restore one into a
 * new execution that skips what was done and runs the rest. Every refusal is problem+json naming the field.
 */
@QuarkusTest
class CheckpointApiTest {

    /** a writes state and completes at once; b sleeps (a checkpoint taken then has a done, b running); c reads both. */
    static final String MID_RUN = """
            {'name': 'checkpointed', 'tasks': [
              {'id': 'a', 'component': 'core', 'action': 'echo', 'input': {'v': '${input.n}'},
               'state': {'from_a': '${output.v}'}},
              {'id': 'b', 'component': 'core', 'action': 'sleep', 'input': {'ms': 1500}, 'depends_on': ['a']},
              {'id': 'c', 'component': 'core', 'action': 'echo', 'depends_on': ['b'],
               'input': {'s': '${state.from_a}', 'a': '${tasks.a.output.v}'}},
              {'id': 'untouched', 'component': 'core', 'action': 'echo', 'depends_on': ['c']}]}""";

    static ValidatableResponse postCheckpoint(String body) {
        return given().contentType(ContentType.JSON).body(json(body)).post("/api/checkpoints").then();
    }

    static JsonPath checkpoint(String executionId) {
        return postCheckpoint("{'execution_id': '" + executionId + "'}").statusCode(201).extract().jsonPath();
    }

    static List<Map<String, Object>> events(String executionId) {
        return Api.events(executionId).getList("items");
    }

    static long count(List<Map<String, Object>> events, String type, String taskId) {
        return events.stream().filter(e -> type.equals(e.get("type"))
                && (taskId == null || taskId.equals(((Map<?, ?>) e.get("data")).get("task_id")))).count();
    }

    static void assertProblem(ValidatableResponse r, int status, String pointer, String detail) {
        r.statusCode(status).contentType("application/problem+json").body("status", equalTo(status));
        if (pointer != null) {
            r.body("errors[0].pointer", equalTo(pointer)).body("errors[0].detail", containsString(detail));
        } else {
            r.body("detail", containsString(detail));
        }
    }

    @Nested
    @DisplayName("POST /api/checkpoints")
    class Create {

        @Test
        void aCheckpointOfARunningExecutionHasTheSeedFieldsAndTheSequenceItCovers() {
            String id = start(createWorkflow(MID_RUN), "{'n': 5}");
            awaitStatus(id, Duration.ofSeconds(10), "RUNNING");
            await().atMost(Duration.ofSeconds(10)).until(() -> "RUNNING".equals(Api.execution(id)
                    .getString("task_executions.b.status")));

            var created = postCheckpoint("{'execution_id': '" + id + "'}").statusCode(201);

            JsonPath cp = created.extract().jsonPath();
            String cpId = cp.getString("checkpoint_id");
            created.header("Location", endsWith("/api/checkpoints/" + cpId));
            assertThat(cp.getString("execution_id")).isEqualTo(id);
            assertThat(cp.getString("workflow_status")).isEqualTo("RUNNING");
            assertThat(cp.getString("reason")).isEqualTo("request");
            assertThat(cp.getString("created_at")).isNotBlank();
            assertThat(cp.getInt("workflow_version")).isEqualTo(1);
            assertThat(cp.getMap("task_statuses")).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "a", "COMPLETED", "b", "RUNNING", "c", "PENDING", "untouched", "PENDING"));
            assertThat(cp.getList("completed_tasks")).containsExactly("a");
            assertThat(cp.getInt("state_data.from_a")).isEqualTo(5);
            // the checkpoint covers every event before it, and is itself the next one
            List<Map<String, Object>> stored = events(id);
            int sequence = cp.getInt("sequence");
            assertThat(stored.get(sequence).get("type")).isEqualTo("CheckpointCreated");
            assertThat(((Map<?, ?>) stored.get(sequence).get("data")).get("checkpoint_id")).isEqualTo(cpId);
        }

        @Test
        void aFinishedExecutionCanBeCheckpointedToo() {
            String id = start(createWorkflow("{'name': 'done', 'tasks': [{'id': 'a', 'component': 'core',"
                    + " 'action': 'echo'}]}"), "{}");
            awaitFinished(id);
            JsonPath cp = checkpoint(id);
            assertThat(cp.getString("workflow_status")).isEqualTo("COMPLETED");
            assertThat(cp.getList("completed_tasks")).containsExactly("a");
        }

        @Test
        void anUnknownExecutionIs404() {
            String unknown = UUID.randomUUID().toString();
            assertProblem(postCheckpoint("{'execution_id': '" + unknown + "'}"), 404, null, unknown);
        }

        @Test
        void aBodyWithoutAValidExecutionIdIs422NamingTheField() {
            assertProblem(postCheckpoint("{}"), 422, "/execution_id", "found nothing");
            assertProblem(postCheckpoint("{'execution_id': 'nope'}"), 422, "/execution_id", "found \"nope\"");
            assertProblem(postCheckpoint("{'execution_id': 42}"), 422, "/execution_id", "found 42");
            assertProblem(postCheckpoint("[]"), 422, "", "expected a JSON object with execution_id");
        }

        @Test
        void anUnknownFieldIs422() {
            assertProblem(postCheckpoint("{'execution_id': '" + UUID.randomUUID() + "', 'label': 'x'}"), 422,
                    "/label", "unknown field 'label'");
        }

        @Test
        void malformedJsonIs400() {
            given().contentType(ContentType.JSON).body("{\"execution_id\":").post("/api/checkpoints").then()
                    .statusCode(400).contentType("application/problem+json");
        }
    }

    @Nested
    @DisplayName("GET /api/checkpoints/{id} and ?execution_id=")
    class Read {

        @Test
        void aCheckpointReadsBackAsItWasTakenAndWithTaskDetailsOnRequest() {
            String id = start(createWorkflow(MID_RUN), "{'n': 3}");
            awaitFinished(id);
            JsonPath taken = checkpoint(id);
            String cpId = taken.getString("checkpoint_id");

            JsonPath read = given().get("/api/checkpoints/" + cpId).then().statusCode(200).extract().jsonPath();

            assertThat(read.getMap("")).isEqualTo(taken.getMap(""));
            assertThat(read.getMap("")).doesNotContainKey("tasks");
            JsonPath detailed = given().get("/api/checkpoints/" + cpId + "?include=tasks").then().statusCode(200)
                    .extract().jsonPath();
            assertThat(detailed.getInt("tasks.a.output.v")).isEqualTo(3);
            assertThat(detailed.getInt("tasks.a.state.from_a")).isEqualTo(3);
            assertThat(detailed.getInt("tasks.c.input.a")).isEqualTo(3);
            assertThat(detailed.getString("tasks.untouched.status")).isEqualTo("COMPLETED");
            assertThat(detailed.getInt("tasks.b.attempts")).isEqualTo(1);
        }

        @Test
        void unknownAndMalformedCheckpointIdsAre404AndABadIncludeIs400() {
            String unknown = UUID.randomUUID().toString();
            assertProblem(given().get("/api/checkpoints/" + unknown).then(), 404, null, unknown);
            assertProblem(given().get("/api/checkpoints/not-a-uuid").then(), 404, null, "not-a-uuid");
            assertProblem(given().get("/api/checkpoints/" + unknown + "?include=everything").then(), 400,
                    "/query/include", "expected one of [tasks], found 'everything'");
        }

        @Test
        void anExecutionsCheckpointsAreListedNewestFirstAPageAtATime() {
            String id = start(createWorkflow("{'name': 'listed', 'tasks': [{'id': 'a', 'component': 'core',"
                    + " 'action': 'echo'}]}"), "{}");
            awaitFinished(id);
            String first = checkpoint(id).getString("checkpoint_id");
            String second = checkpoint(id).getString("checkpoint_id");
            String third = checkpoint(id).getString("checkpoint_id");

            JsonPath page1 = given().get("/api/checkpoints?execution_id=" + id + "&limit=2").then().statusCode(200)
                    .extract().jsonPath();
            assertThat(page1.getList("items.checkpoint_id")).containsExactly(third, second);
            assertThat(page1.getInt("total")).isEqualTo(3);
            assertThat(page1.getBoolean("total_exact")).isTrue();
            assertThat(page1.getString("items[0].reason")).isEqualTo("request");
            assertThat(page1.getString("items[0].workflow_status")).isEqualTo("COMPLETED");
            assertThat(page1.getInt("items[0].sequence")).isGreaterThan(page1.getInt("items[1].sequence"));
            assertThat(page1.getMap("items[0]")).doesNotContainKeys("task_statuses", "state_data");
            String cursor = page1.getString("next_cursor");
            assertThat(cursor).isNotNull();

            JsonPath page2 = given().get("/api/checkpoints?execution_id=" + id + "&limit=2&cursor=" + cursor).then()
                    .statusCode(200).extract().jsonPath();
            assertThat(page2.getList("items.checkpoint_id")).containsExactly(first);
            assertThat(page2.getString("next_cursor")).isNull();
            JsonPath byOffset = given().get("/api/checkpoints?execution_id=" + id + "&offset=1").then()
                    .statusCode(200).extract().jsonPath();
            assertThat(byOffset.getList("items.checkpoint_id")).containsExactly(second, first);
        }

        @Test
        void theListNeedsAKnownExecution() {
            assertProblem(given().get("/api/checkpoints").then(), 422, "/query/execution_id", "found nothing");
            assertProblem(given().get("/api/checkpoints?execution_id=x1").then(), 422, "/query/execution_id",
                    "found 'x1'");
            String unknown = UUID.randomUUID().toString();
            assertProblem(given().get("/api/checkpoints?execution_id=" + unknown).then(), 404, null, unknown);
            assertProblem(given().get("/api/checkpoints?execution_id=" + unknown + "&limit=0").then(), 400,
                    "/query/limit", "expected limit from 1 to 500, found 0");
        }
    }

    @Nested
    @DisplayName("POST /api/checkpoints/{id}/restore")
    class Restore {

        @Test
        void aCheckpointTakenMidRunRestoresIntoANewExecutionThatRunsOnlyWhatWasNotDone() {
            String source = start(createWorkflow(MID_RUN), "{'n': 7}");
            await().atMost(Duration.ofSeconds(10)).until(() -> "RUNNING".equals(Api.execution(source)
                    .getString("task_executions.b.status")));
            JsonPath cp = checkpoint(source);
            String cpId = cp.getString("checkpoint_id");

            var restored = given().post("/api/checkpoints/" + cpId + "/restore").then().statusCode(201);

            JsonPath answer = restored.extract().jsonPath();
            String copy = answer.getString("execution_id");
            restored.header("Location", endsWith("/api/executions/" + copy));
            assertThat(copy).isNotEqualTo(source);
            assertThat(answer.getString("restored_from.execution_id")).isEqualTo(source);
            assertThat(answer.getString("restored_from.checkpoint_id")).isEqualTo(cpId);
            assertThat(answer.getInt("restored_from.sequence")).isEqualTo(cp.getInt("sequence"));
            JsonPath done = awaitFinished(copy);
            assertThat(done.getString("status")).isEqualTo("COMPLETED");
            List<Map<String, Object>> copyEvents = events(copy);
            assertThat(count(copyEvents, "TaskStarted", "a")).as("a was done at the checkpoint").isZero();
            assertThat(count(copyEvents, "TaskStarted", "b")).isEqualTo(1);
            assertThat(count(copyEvents, "TaskStarted", "c")).isEqualTo(1);
            assertThat(done.getInt("task_executions.a.output.v")).isEqualTo(7);
            assertThat(done.getInt("task_executions.c.input.s")).as("the checkpoint's state").isEqualTo(7);
            assertThat(done.getInt("task_executions.c.input.a")).isEqualTo(7);
            assertThat(done.getInt("state.from_a")).isEqualTo(7);
            // both views link to each other
            assertThat(done.getString("restored_from.execution_id")).isEqualTo(source);
            assertThat(done.getString("restored_from.checkpoint_id")).isEqualTo(cpId);
            JsonPath sourceView = Api.execution(source);
            assertThat(sourceView.getList("derived.execution_id")).containsExactly(copy);
            assertThat(sourceView.getString("derived[0].relation")).isEqualTo("restore");
            assertThat(sourceView.getString("derived[0].checkpoint_id")).isEqualTo(cpId);
            assertThat(sourceView.getInt("derived_count")).isEqualTo(1);
        }

        @Test
        void aCheckpointOfAFailedExecutionRestoresWithTheFailedPartRunAgain() {
            String wf = createWorkflow("""
                    {'name': 'failed-then-restored', 'tasks': [
                      {'id': 'a', 'component': 'core', 'action': 'echo', 'input': {'v': 1}},
                      {'id': 'b', 'component': 'core', 'action': 'fail', 'depends_on': ['a'],
                       'input': {'error_type': 'CLIENT_ERROR', 'message': 'still broken'}},
                      {'id': 'c', 'component': 'core', 'action': 'echo', 'depends_on': ['b']}]}""");
            String source = start(wf, "{}");
            assertThat(awaitFinished(source).getString("status")).isEqualTo("FAILED");
            JsonPath cp = checkpoint(source);
            assertThat(cp.getString("workflow_status")).isEqualTo("FAILED");
            assertThat(cp.getMap("task_statuses")).containsEntry("b", "FAILED").containsEntry("c", "SKIPPED");

            String copy = given().post("/api/checkpoints/" + cp.getString("checkpoint_id") + "/restore").then()
                    .statusCode(201).extract().path("execution_id");

            JsonPath done = awaitFinished(copy);
            List<Map<String, Object>> copyEvents = events(copy);
            assertThat(count(copyEvents, "TaskStarted", "a")).isZero();
            assertThat(count(copyEvents, "TaskStarted", "b")).as("the failed task runs again").isEqualTo(1);
            assertThat(done.getString("task_executions.a.status")).isEqualTo("COMPLETED");
            assertThat(done.getString("task_executions.b.error.message")).contains("still broken");
            assertThat(done.getString("task_executions.c.error.type")).isEqualTo("UPSTREAM_FAILED");
        }

        @Test
        void unknownAndMalformedCheckpointsAre404() {
            String unknown = UUID.randomUUID().toString();
            assertProblem(given().post("/api/checkpoints/" + unknown + "/restore").then(), 404, null, unknown);
            assertProblem(given().post("/api/checkpoints/zzz/restore").then(), 404, null, "zzz");
        }
    }

    @Nested
    @DisplayName("automatic checkpoints")
    class Automatic {

        @Test
        void aTaskMarkedCheckpointIsFollowedByACheckpoint() {
            String id = start(createWorkflow("""
                    {'name': 'marked', 'tasks': [
                      {'id': 'a', 'component': 'core', 'action': 'echo', 'checkpoint': true},
                      {'id': 'b', 'component': 'core', 'action': 'echo', 'depends_on': ['a']}]}"""), "{}");
            awaitFinished(id);
            List<Map<String, Object>> stored = events(id);
            int completedA = -1;
            int checkpoint = -1;
            for (int i = 0; i < stored.size(); i++) {
                Map<?, ?> data = (Map<?, ?>) stored.get(i).get("data");
                if ("TaskCompleted".equals(stored.get(i).get("type")) && "a".equals(data.get("task_id"))) {
                    completedA = i;
                } else if ("CheckpointCreated".equals(stored.get(i).get("type"))) {
                    checkpoint = i;
                    assertThat(data.get("reason")).isEqualTo("task:a");
                }
            }
            assertThat(checkpoint).as("a checkpoint right after a completed").isGreaterThan(completedA);
            assertThat(count(stored, "TaskStarted", "b")).isEqualTo(1);
            JsonPath listed = given().get("/api/checkpoints?execution_id=" + id).then().statusCode(200).extract()
                    .jsonPath();
            assertThat(listed.getList("items.reason")).containsExactly("task:a");
            String cpId = listed.getString("items[0].checkpoint_id");
            JsonPath cp = given().get("/api/checkpoints/" + cpId).then().statusCode(200).extract().jsonPath();
            assertThat(cp.getList("completed_tasks")).containsExactly("a");
            assertThat(cp.getString("task_statuses.a")).isEqualTo("COMPLETED");
        }
    }
}
