package io.harmonia.api;

import static io.harmonia.api.Api.awaitFinished;
import static io.harmonia.api.Api.createWorkflow;
import static io.harmonia.api.Api.json;
import static io.harmonia.api.Api.start;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** {@code /api/state}: an execution's state, read, replaced and merged over REST, and seen by its tasks. */
@QuarkusTest
class StateApiTest {
    static final String MERGE_PATCH = "application/merge-patch+json";

    /** A workflow that waits {@code ms} in its first task, so that its state can be changed while it runs. */
    static String sleeper(String name, int ms) {
        return createWorkflow("{'name': '" + name + "', 'tasks': ["
                + "{'id': 'wait', 'component': 'core', 'action': 'sleep', 'input': {'ms': " + ms + "}},"
                + "{'id': 'use', 'component': 'core', 'action': 'echo', 'input': {'x': '${state.x}'},"
                + " 'depends_on': ['wait']}]}");
    }

    static ValidatableResponse getState(String id) {
        return given().get("/api/state/" + id).then();
    }

    static ValidatableResponse put(String id, String body) {
        return given().contentType(ContentType.JSON).body(json(body)).put("/api/state/" + id).then();
    }

    static ValidatableResponse patch(String id, String body) {
        return given().contentType(ContentType.JSON).body(json(body)).patch("/api/state/" + id).then();
    }

    static RequestSpecification ifMatch(String etag) {
        return given().contentType(ContentType.JSON).header("If-Match", etag);
    }

    static ValidatableResponse problem(ValidatableResponse r, int status) {
        return r.statusCode(status).contentType("application/problem+json").body("status", equalTo(status));
    }

    static void cancel(String id) {
        given().post("/api/executions/" + id + "/cancel").then().statusCode(200);
    }

    @Test
    void theSeedExampleTaskWritesStateThatConditionsAndLaterTasksRead() {
        String wf = createWorkflow("""
                {'name': 'approval', 'tasks': [
                  {'id': 'check', 'component': 'core', 'action': 'echo', 'input': {'status': 'APPROVED'},
                   'state': {'approval_status': '${output.status}'}},
                  {'id': 'approve', 'component': 'core', 'action': 'echo', 'depends_on': ['check'],
                   'condition': 'state.approval_status == \\'APPROVED\\'',
                   'input': {'seen': '${state.approval_status}', 'by_task': '${tasks.check.state.approval_status}'}},
                  {'id': 'reject', 'component': 'core', 'action': 'echo', 'depends_on': ['check'],
                   'condition': 'state.approval_status != \\'APPROVED\\''}]}""");
        String id = start(wf, "{}");
        JsonPath done = awaitFinished(id);
        assertThat(done.getString("status")).isEqualTo("COMPLETED");
        assertThat(done.getString("task_executions.approve.status")).isEqualTo("COMPLETED");
        assertThat(done.getString("task_executions.approve.input.seen")).isEqualTo("APPROVED");
        assertThat(done.getString("task_executions.approve.input.by_task")).isEqualTo("APPROVED");
        assertThat(done.getString("task_executions.reject.status")).isEqualTo("SKIPPED");
        assertThat(done.getString("task_executions.reject.error.type")).isEqualTo("CONDITION_FALSE");
        // the execution view shows the state, its version and what each task wrote
        assertThat(done.getMap("state")).isEqualTo(Map.of("approval_status", "APPROVED"));
        assertThat(done.getInt("state_version")).isEqualTo(1);
        assertThat(done.getMap("task_executions.check.state")).isEqualTo(Map.of("approval_status", "APPROVED"));

        var answer = getState(id).statusCode(200).contentType(ContentType.JSON).header("ETag", "\"1\"")
                .extract();
        JsonPath state = answer.jsonPath();
        assertThat(state.getString("execution_id")).isEqualTo(id);
        assertThat(state.getString("status")).isEqualTo("COMPLETED");
        assertThat(state.getMap("state")).isEqualTo(Map.of("approval_status", "APPROVED"));
        assertThat(state.getMap("tasks")).isEqualTo(Map.of("check", Map.of("approval_status", "APPROVED")));
        assertThat(state.getInt("version")).isEqualTo(1);
        assertThat(state.getInt("sequence")).isEqualTo(done.getInt("version"));
        List<String> types = Api.events(id).getList("items.type");
        assertThat(types.get(types.indexOf("TaskCompleted") + 1)).isEqualTo("StateUpdated");
    }

    @Test
    void aStateWrittenFromOutsideIsSeenByALaterTask() {
        String id = start(sleeper("outside-state", 3000), "{}");
        var answer = put(id, "{'state': {'x': 42}}").statusCode(200).header("ETag", "\"1\"").extract().jsonPath();
        assertThat(answer.getString("status")).isEqualTo("RUNNING");
        assertThat(answer.getMap("state")).isEqualTo(Map.of("x", 42));
        assertThat(answer.getInt("version")).isEqualTo(1);
        JsonPath done = awaitFinished(id);
        assertThat(done.getString("status")).isEqualTo("COMPLETED");
        assertThat(done.getInt("task_executions.use.input.x")).isEqualTo(42);
        assertThat(done.getInt("task_executions.use.output.x")).isEqualTo(42);
        assertThat(answer.getInt("sequence")).isLessThan(done.getInt("version"));
    }

    @Nested
    class Changing {
        @Test
        void patchMergesPutReplacesAndEveryAnswerHasTheNewVersionAndSequence() {
            String id = start(sleeper("merge", 60_000), "{}");
            try {
                put(id, "{'state': {'a': 1, 'nested': {'x': 1, 'y': 2}, 'gone': true}}").statusCode(200)
                        .header("ETag", "\"1\"").body("version", equalTo(1));
                JsonPath merged = patch(id, "{'state': {'nested': {'y': null, 'z': 3}, 'gone': null, 'b': 'new'}}")
                        .statusCode(200).header("ETag", "\"2\"").extract().jsonPath();
                assertThat(merged.getMap("state")).isEqualTo(Map.of("a", 1, "nested", Map.of("x", 1, "z", 3),
                        "b", "new"));
                assertThat(merged.getInt("version")).isEqualTo(2);
                JsonPath viaMergePatch = given().contentType(MERGE_PATCH).body(json("{'a': {'deep': [1, 2]}}"))
                        .patch("/api/state/" + id).then().statusCode(200).header("ETag", "\"3\"").extract()
                        .jsonPath();
                assertThat(viaMergePatch.getMap("state")).isEqualTo(Map.of("a", Map.of("deep", List.of(1, 2)),
                        "nested", Map.of("x", 1, "z", 3), "b", "new"));
                assertThat(viaMergePatch.getInt("sequence")).isGreaterThan(merged.getInt("sequence"));
                JsonPath replaced = put(id, "{'state': {'only': true}}").statusCode(200).extract().jsonPath();
                assertThat(replaced.getMap("state")).isEqualTo(Map.of("only", true));
                assertThat(replaced.getInt("version")).isEqualTo(4);

                JsonPath read = getState(id).statusCode(200).header("ETag", "\"4\"").extract().jsonPath();
                assertThat(read.getMap("state")).isEqualTo(Map.of("only", true));
                assertThat(read.getInt("sequence")).isEqualTo(replaced.getInt("sequence"));
                assertThat(read.getMap("tasks")).isEmpty();
                JsonPath view = Api.execution(id);
                assertThat(view.getMap("state")).isEqualTo(Map.of("only", true));
                assertThat(view.getInt("state_version")).isEqualTo(4);
                List<Map<String, Object>> updates = Api.events(id)
                        .getList("items.findAll { it.type == 'StateUpdated' }.data");
                assertThat(updates).hasSize(4);
                assertThat(updates.get(3)).containsEntry("replace", true);
                assertThat(updates.get(1)).containsEntry("replace", false);
            } finally {
                cancel(id);
            }
        }

        @Test
        void ifMatchGivesOptimisticConcurrency() {
            String id = start(sleeper("if-match", 60_000), "{}");
            try {
                put(id, "{'state': {'n': 1}}").statusCode(200).header("ETag", "\"1\"");
                put(id, "{'state': {'n': 2}}").statusCode(200).header("ETag", "\"2\"");
                problem(ifMatch("\"1\"").body(json("{'state': {'n': 3}}")).put("/api/state/" + id).then(), 412)
                        .header("ETag", "\"2\"")
                        .body("type", equalTo("https://harmonia.dev/problems/precondition-failed"))
                        .body("expected_version", equalTo(1)).body("state_version", equalTo(2))
                        .body("detail", containsString("at version 1, but it is at 2"))
                        .body("detail", containsString(id));
                getState(id).statusCode(200).body("state.n", equalTo(2)).header("ETag", "\"2\"");
                ifMatch("\"2\"").body(json("{'state': {'n': 3}}")).put("/api/state/" + id).then().statusCode(200)
                        .header("ETag", "\"3\"").body("state.n", equalTo(3));
                ifMatch("W/\"3\"").body(json("{'state': {'m': 1}}")).patch("/api/state/" + id).then()
                        .statusCode(200).header("ETag", "\"4\"").body("state.n", equalTo(3));
                ifMatch("4").body(json("{'state': {'m': 2}}")).patch("/api/state/" + id).then().statusCode(200)
                        .header("ETag", "\"5\"");
                ifMatch("*").body(json("{'state': {}}")).put("/api/state/" + id).then().statusCode(200)
                        .header("ETag", "\"6\"");
                problem(given().contentType(MERGE_PATCH).header("If-Match", "\"5\"").body("{\"k\": 1}")
                        .patch("/api/state/" + id).then(), 412).body("state_version", equalTo(6));
                problem(ifMatch("\"abc\"").body(json("{'state': {}}")).put("/api/state/" + id).then(), 400)
                        .body("errors[0].pointer", equalTo("/headers/If-Match"))
                        .body("errors[0].detail", containsString("found '\"abc\"'"));
            } finally {
                cancel(id);
            }
        }

        @Test
        void textPostgresCannotHoldInJsonbIsKeptAsSent() {
            String id = start(sleeper("awkward-text", 60_000), "{}");
            try {
                String body = "{\"state\": {\"nul\": \"a\\u0000b\", \"lone\": \"\\ud800\", \"emoji\": \"🚀\"}}";
                given().contentType("application/json; charset=UTF-8").body(body).put("/api/state/" + id).then()
                        .statusCode(200);
                JsonPath read = getState(id).statusCode(200).extract().jsonPath();
                assertThat(read.getString("state.nul")).isEqualTo("a\u0000b");
                assertThat(read.getString("state.emoji")).isEqualTo("🚀");
                assertThat(read.getString("state.lone")).hasSize(1);
                assertThat(Api.execution(id).getString("state.nul")).isEqualTo("a\u0000b");
            } finally {
                cancel(id);
            }
        }

        @Test
        void aFinishedExecutionsStateIsFinal() {
            String id = start(sleeper("finished", 60_000), "{}");
            put(id, "{'state': {'n': 1}}").statusCode(200);
            cancel(id);
            problem(put(id, "{'state': {'n': 2}}"), 409)
                    .body("type", equalTo("https://harmonia.dev/problems/invalid-state"))
                    .body("execution_status", equalTo("CANCELED"))
                    .body("detail", containsString("to be RUNNING or PAUSED to change its state, but it is CANCELED"));
            problem(patch(id, "{'state': {'n': 2}}"), 409);
            getState(id).statusCode(200).body("state.n", equalTo(1)).body("status", equalTo("CANCELED"));
        }
    }

    @Nested
    class Refusals {
        @Test
        void unknownAndMalformedIdsAre404() {
            String unknown = UUID.randomUUID().toString();
            problem(getState(unknown), 404).body("detail", containsString(unknown));
            problem(getState(unknown + "?at_sequence=1"), 404);
            problem(put(unknown, "{'state': {}}"), 404).body("detail", containsString(unknown));
            problem(patch(unknown, "{'state': {}}"), 404);
            problem(getState("not-an-id"), 404);
            problem(put("not-an-id", "{'state': {}}"), 404);
        }

        @Test
        void bodiesThatAreNotAStateObjectAre422WithEveryProblem() {
            String id = start(sleeper("bad-bodies", 60_000), "{}");
            try {
                problem(put(id, "{'state': {'a': 1}, 'version': 3, 'extra': true}"), 422)
                        .body("errors.pointer", equalTo(List.of("/version", "/extra")))
                        .body("errors[0].detail", containsString("unknown field 'version'; expected only 'state'"));
                problem(put(id, "{'state': [1, 2]}"), 422).body("errors[0].pointer", equalTo("/state"))
                        .body("errors[0].detail", containsString("as a JSON object, found array [1,2]"));
                problem(put(id, "{'state': 'text'}"), 422).body("errors[0].pointer", equalTo("/state"));
                problem(put(id, "{'state': null}"), 422).body("errors[0].pointer", equalTo("/state"));
                problem(put(id, "{}"), 422).body("errors[0].detail", containsString("found nothing"));
                problem(put(id, "[1]"), 422).body("errors[0].pointer", equalTo(""));
                problem(patch(id, "{'state': 5}"), 422).body("errors[0].pointer", equalTo("/state"));
                problem(given().contentType(MERGE_PATCH).body("[1]").patch("/api/state/" + id).then(), 422)
                        .body("errors[0].pointer", equalTo(""))
                        .body("errors[0].detail", containsString("expected a merge patch object"));
                problem(given().contentType(MERGE_PATCH).body("\"x\"").patch("/api/state/" + id).then(), 422);
                problem(put(id, "{'state': {'hook': {'url': 'https://admin:s3cret@example.com/x'}}}"), 422)
                        .body("errors[0].pointer", equalTo("/state/hook/url"))
                        .body("errors[0].detail", containsString("expected a URL without user info"))
                        .body(org.hamcrest.Matchers.not(containsString("s3cret")));
                problem(given().contentType(MERGE_PATCH).body("{\"hook\": \"http://u:p@example.com\"}")
                        .patch("/api/state/" + id).then(), 422).body("errors[0].pointer", equalTo("/hook"));
                getState(id).statusCode(200).body("version", equalTo(0)).header("ETag", "\"0\"");
            } finally {
                cancel(id);
            }
        }

        @Test
        void malformedJsonIs400AndOtherContentTypes415() {
            String id = start(sleeper("bad-json", 60_000), "{}");
            try {
                problem(given().contentType(ContentType.JSON).body("{\"state\": {").put("/api/state/" + id).then(),
                        400).body("type", equalTo("https://harmonia.dev/problems/malformed-json"));
                problem(given().contentType(MERGE_PATCH).body("{oops").patch("/api/state/" + id).then(), 400)
                        .body("type", equalTo("https://harmonia.dev/problems/malformed-json"));
                problem(given().contentType(ContentType.TEXT).body("x=1").put("/api/state/" + id).then(), 415);
                problem(given().contentType("application/json-patch+json").body("[]").patch("/api/state/" + id)
                        .then(), 415);
            } finally {
                cancel(id);
            }
        }

        @Test
        void aStateAboveTheLimitIs413() {
            String id = start(sleeper("too-large", 60_000), "{}");
            try {
                String big = "x".repeat(1_048_576);
                problem(given().contentType(ContentType.JSON).body("{\"state\": {\"big\": \"" + big + "\"}}")
                        .put("/api/state/" + id).then(), 413)
                        .body("type", equalTo("https://harmonia.dev/problems/payload-too-large"))
                        .body("errors[0].pointer", equalTo("/state"))
                        .body("errors[0].detail", containsString("the state is 1048586 bytes, above the limit of"
                                + " 1048576 (harmonia.history.max-state-bytes)"));
                // each patch fits, but together they would not: the decider refuses it
                String half = "y".repeat(600_000);
                patch(id, "{'state': {'a': '" + half + "'}}").statusCode(200).body("version", equalTo(1));
                problem(given().contentType(MERGE_PATCH).body("{\"b\": \"" + half + "\"}")
                        .patch("/api/state/" + id).then(), 413)
                        .body("max_state_bytes", equalTo(1_048_576))
                        .body("state_bytes", equalTo(2 * 600_000 + 15)) // {"a":"…","b":"…"}
                        .body("detail", containsString("Expected the state of execution '" + id + "' to stay"
                                + " within 1048576 bytes"));
                getState(id).statusCode(200).body("version", equalTo(1));
            } finally {
                cancel(id);
            }
        }
    }

    @Nested
    class TimeTravel {
        @Test
        void atSequenceFoldsFromACheckpointAndAtTheLastSequenceEqualsTheLatest() {
            String wf = createWorkflow("""
                    {'name': 'checkpointed', 'tasks': [
                      {'id': 'mark', 'component': 'core', 'action': 'echo', 'input': {'m': 1},
                       'state': {'m': '${output.m}'}, 'checkpoint': true},
                      {'id': 'wait', 'component': 'core', 'action': 'sleep', 'input': {'ms': 60000},
                       'depends_on': ['mark']}]}""");
            String id = start(wf, "{}");
            try {
                Api.awaitStatus(id, java.time.Duration.ofSeconds(20), "RUNNING");
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() ->
                        Api.events(id).getList("items.type").contains("CheckpointCreated"));
                JsonPath latest = patch(id, "{'state': {'x': 2}}").statusCode(200).extract().jsonPath();
                List<String> types = Api.events(id).getList("items.type");
                int checkpoint = types.indexOf("CheckpointCreated") + 1;
                int last = latest.getInt("sequence");
                assertThat(types).hasSize(last);
                long previous = 0;
                for (int seq = 1; seq <= last; seq++) {
                    JsonPath at = given().get("/api/state/" + id + "?at_sequence=" + seq).then().statusCode(200)
                            .extract().jsonPath();
                    assertThat(at.getInt("sequence")).isEqualTo(seq);
                    assertThat(at.getLong("version")).as("versions never go down").isGreaterThanOrEqualTo(previous);
                    previous = at.getLong("version");
                    if (seq >= checkpoint && seq < last) {
                        assertThat(at.getMap("state")).as("at " + seq + " (checkpoint at " + checkpoint + ")")
                                .isEqualTo(Map.of("m", 1));
                        assertThat(at.getMap("tasks")).isEqualTo(Map.of("mark", Map.of("m", 1)));
                    }
                }
                assertThat(given().get("/api/state/" + id + "?at_sequence=" + last).then().statusCode(200)
                        .extract().jsonPath().getMap("")).isEqualTo(latest.getMap(""));
                assertThat(latest.getMap("state")).isEqualTo(Map.of("m", 1, "x", 2));
            } finally {
                cancel(id);
            }
        }

        @Test
        void atSequenceGivesTheStateRightAfterThatEvent() {
            String id = start(sleeper("at-sequence", 60_000), "{}");
            try {
                int first = put(id, "{'state': {'n': 1}}").statusCode(200).extract().path("sequence");
                int second = patch(id, "{'state': {'m': 2}}").statusCode(200).extract().path("sequence");
                given().get("/api/state/" + id + "?at_sequence=" + first).then().statusCode(200)
                        .header("ETag", "\"1\"").body("version", equalTo(1)).body("sequence", equalTo(first))
                        .body("state", equalTo(Map.of("n", 1))).body("status", equalTo("RUNNING"));
                given().get("/api/state/" + id + "?at_sequence=" + (first - 1)).then().statusCode(200)
                        .body("version", equalTo(0)).body("state", equalTo(Map.of()));
                given().get("/api/state/" + id + "?at_sequence=" + second).then().statusCode(200)
                        .body("state", equalTo(Map.of("n", 1, "m", 2))).body("version", equalTo(2));
                given().get("/api/state/" + id + "?at_sequence=1").then().statusCode(200)
                        .body("sequence", equalTo(1)).body("version", equalTo(0));
                for (String bad : List.of("0", String.valueOf(second + 1), "-1", "abc", "99999999999")) {
                    problem(given().get("/api/state/" + id + "?at_sequence=" + bad).then(), 422)
                            .body("errors[0].pointer", equalTo("/query/at_sequence"))
                            .body("errors[0].detail", containsString("expected at_sequence to be an integer from 1"
                                    + " to " + second))
                            .body("errors[0].detail", containsString("found '" + bad + "'"));
                }
            } finally {
                cancel(id);
            }
        }
    }
}
