package io.harmonia.api;

import static io.harmonia.api.Api.awaitFinished;
import static io.harmonia.api.Api.awaitStatus;
import static io.harmonia.api.Api.createWorkflow;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** POST /api/executions/replay and /api/jobs: bulk replays and re-runs, their progress, list, items and cancel. */
@QuarkusTest
class BulkReplayApiTest {

    static JsonPath job(String jobId) {
        return given().get("/api/jobs/" + jobId).then().statusCode(200).extract().jsonPath();
    }

    static JsonPath awaitJob(String jobId, String status) {
        JsonPath[] last = new JsonPath[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            last[0] = job(jobId);
            return status.equals(last[0].getString("status"));
        });
        return last[0];
    }

    static String bulk(String body) {
        String location = given().contentType(ContentType.JSON).body(json(body)).post("/api/executions/replay")
                .then().statusCode(202).header("Location", containsString("/api/jobs/"))
                .body("status", equalTo("PENDING")).extract().header("Location");
        return location.substring(location.lastIndexOf('/') + 1);
    }

    @Test
    void aBulkReplayReplaysEveryMatchedExecutionOnceAndReportsProgress() {
        String wf = createWorkflow(WorkflowApiTest.SEED);
        List<String> sources = new ArrayList<>();
        for (int n = 1; n <= 5; n++) {
            sources.add(start(wf, "{'n': " + n + "}"));
        }
        sources.forEach(Api::awaitFinished);

        String jobId = bulk("{'filter': {'workflow_id': '" + wf + "', 'status': 'completed'},"
                + " 'mode': 'replay', 'max': 10}");
        JsonPath done = awaitJob(jobId, "COMPLETED");
        assertThat(done.getInt("matched")).isEqualTo(5);
        assertThat(done.getInt("done")).isEqualTo(5);
        assertThat(done.getInt("skipped")).isZero();
        assertThat(done.getInt("failed")).isZero();
        assertThat(done.getString("finished_at")).isNotNull();
        assertThat(done.getString("filter.status")).isEqualTo("COMPLETED");

        JsonPath items = given().get(done.getString("results")).then().statusCode(200).extract().jsonPath();
        List<Map<String, Object>> list = items.getList("items");
        assertThat(list).hasSize(5);
        // oldest start first; each replay is linked to its source and runs with its input
        assertThat(items.getList("items.execution_id")).containsExactlyElementsOf(sources);
        for (Map<String, Object> item : list) {
            String replay = (String) item.get("result_id");
            JsonPath r = awaitFinished(replay);
            assertThat(r.getString("replay_of")).isEqualTo(item.get("execution_id"));
            assertThat(r.getInt("output.result")).isEqualTo(2 * execution((String) item.get("execution_id"))
                    .getInt("input.n"));
            assertThat(execution((String) item.get("execution_id")).getList("derived.execution_id"))
                    .containsExactly(replay);
        }
        // the replays themselves are new executions of the workflow: 10 in all
        given().get("/api/executions?workflow_id=" + wf).then().body("total", equalTo(10));
        given().get("/api/jobs?limit=200").then().statusCode(200).body("items.job_id", hasItem(jobId));
        String first = given().get("/api/jobs?limit=1").then().statusCode(200).extract().path("next_after");
        given().get("/api/jobs?limit=1&after=" + first).then().statusCode(200)
                .body("items[0].job_id", org.hamcrest.Matchers.not(equalTo(first)));
    }

    @Test
    void aBulkReRunReRunsWhatFailedAndSkipsWhatIsRunningWithTheReason() {
        String wf = createWorkflow("""
                {'name': 'fails-or-naps', 'tasks': [
                  {'id': 't', 'component': 'core', 'action': 'sleep', 'input': {'ms': '${input.ms}'}}]}""");
        String failed1 = start(wf, "{'ms': -1}");
        String failed2 = start(wf, "{'ms': -1}");
        String running = start(wf, "{'ms': 60000}");
        awaitFinished(failed1);
        awaitFinished(failed2);
        awaitStatus(running, Duration.ofSeconds(10), "RUNNING");

        String jobId = bulk("{'filter': {'workflow_id': '" + wf + "'}, 'mode': 'rerun_failed', 'max': 100}");
        JsonPath done = awaitJob(jobId, "COMPLETED");
        assertThat(done.getInt("matched")).isEqualTo(3);
        assertThat(done.getInt("done")).isEqualTo(2);
        assertThat(done.getInt("skipped")).isEqualTo(1);
        assertThat(done.getString("reasons[0].state")).isEqualTo("SKIPPED");
        assertThat(done.getString("reasons[0].reason")).contains("RUNNING");
        for (String id : List.of(failed1, failed2)) {
            JsonPath again = awaitFinished(id);
            assertThat(again.getInt("task_executions.t.run")).isEqualTo(2);
            assertThat(again.getInt("reruns")).isEqualTo(1);
        }
        given().get("/api/jobs/" + jobId + "/items?state=SKIPPED").then().statusCode(200)
                .body("items.execution_id", equalTo(List.of(running)));
        given().post("/api/executions/" + running + "/cancel").then().statusCode(200);
    }

    @Test
    void everyProblemOfABadRequestIsReportedAtOnce() {
        given().contentType(ContentType.JSON).body(json("{'filter': {'workflow_id': 'x', 'status': 'NOPE',"
                        + " 'started_after': 'yesterday', 'started_before': 5, 'owner': 'me'}, 'mode': 'again',"
                        + " 'max': 0, 'dry_run': true}"))
                .post("/api/executions/replay").then().statusCode(422).contentType("application/problem+json")
                .body("errors.pointer", hasItems("/filter/workflow_id", "/filter/status", "/filter/started_after",
                        "/filter/started_before", "/filter/owner", "/mode", "/max", "/dry_run"))
                .body("errors.detail", hasItem(containsString("ISO-8601")))
                .body("errors.detail", hasItem(containsString("[replay, rerun_failed]")));
        given().contentType(ContentType.JSON).body(json("{'filter': {}, 'mode': 'replay', 'max': 100001}"))
                .post("/api/executions/replay").then().statusCode(422)
                .body("errors.pointer", equalTo(List.of("/max")))
                .body("errors.detail[0]", containsString("100000"));
        given().contentType(ContentType.JSON).body(json("{'filter': {'started_after': '2026-01-02T00:00:00Z',"
                        + " 'started_before': '2026-01-01T00:00:00Z'}, 'mode': 'replay', 'max': 1}"))
                .post("/api/executions/replay").then().statusCode(422)
                .body("errors.pointer", equalTo(List.of("/filter/started_before")));
        given().contentType(ContentType.JSON).body(json("{'mode': 'replay', 'max': 1}"))
                .post("/api/executions/replay").then().statusCode(422)
                .body("errors.pointer", equalTo(List.of("/filter")));
        given().contentType(ContentType.JSON).body("[]").post("/api/executions/replay").then().statusCode(422);
    }

    @Test
    void aJobThatMatchesNothingCompletesAndTheTimeFilterSelects() {
        String jobId = bulk("{'filter': {'workflow_id': '" + UUID.randomUUID() + "',"
                + " 'started_after': '2020-01-01T00:00:00+02:00'}, 'mode': 'replay', 'max': 5}");
        JsonPath done = awaitJob(jobId, "COMPLETED");
        assertThat(done.getInt("matched")).isZero();
        assertThat(done.getString("filter.started_after")).isEqualTo("2019-12-31T22:00:00Z");

        String wf = createWorkflow(WorkflowApiTest.SEED);
        String id = start(wf, "{'n': 1}");
        String startTime = awaitFinished(id).getString("start_time");
        String none = bulk("{'filter': {'workflow_id': '" + wf + "', 'started_after': '" + startTime + "'},"
                + " 'mode': 'replay', 'max': 5}");
        assertThat(awaitJob(none, "COMPLETED").getInt("matched")).isZero();
        String one = bulk("{'filter': {'workflow_id': '" + wf + "', 'started_before': '2999-01-01T00:00:00Z'},"
                + " 'mode': 'replay', 'max': 5}");
        assertThat(awaitJob(one, "COMPLETED").getInt("done")).isEqualTo(1);
    }

    @Test
    void unknownJobsAre404AndAFinishedJobCannotBeCanceled() {
        given().get("/api/jobs/" + UUID.randomUUID()).then().statusCode(404).contentType("application/problem+json");
        given().get("/api/jobs/nope").then().statusCode(404);
        given().post("/api/jobs/" + UUID.randomUUID() + "/cancel").then().statusCode(404)
                .contentType("application/problem+json");
        given().get("/api/jobs/" + UUID.randomUUID() + "/items").then().statusCode(404);
        String jobId = bulk("{'filter': {'workflow_id': '" + UUID.randomUUID() + "'}, 'mode': 'replay', 'max': 1}");
        awaitJob(jobId, "COMPLETED");
        given().post("/api/jobs/" + jobId + "/cancel").then().statusCode(409).contentType("application/problem+json")
                .body("job_status", equalTo("COMPLETED")).body("detail", containsString(jobId));
        given().get("/api/jobs/" + jobId + "/items?state=MAYBE").then().statusCode(400)
                .body("errors[0].pointer", equalTo("/query/state"));
        given().get("/api/jobs?limit=0").then().statusCode(400);
        given().get("/api/jobs?after=nope").then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].pointer", equalTo("/query/after"));
    }
}
