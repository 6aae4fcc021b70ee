package io.harmonia.api;

import static io.harmonia.api.Api.awaitFinished;
import static io.harmonia.api.Api.createWorkflow;
import static io.harmonia.api.Api.execution;
import static io.harmonia.api.Api.json;
import static io.harmonia.api.Api.start;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** POST /api/executions/{id}/replay: a new execution of the same workflow version and input, linked both ways. */
@QuarkusTest
class ReplayApiTest {

    private static JsonPath replay(String id, String body, int status) {
        var req = given();
        if (body != null) {
            req = req.contentType(ContentType.JSON).body(json(body));
        }
        return req.post("/api/executions/" + id + "/replay").then().statusCode(status).extract().jsonPath();
    }

    @Test
    void aReplayRunsTheSameVersionWithTheSameInputAndBothViewsLinkEachOther() {
        String wf = createWorkflow(WorkflowApiTest.SEED);
        String source = start(wf, "{'n': 21}");
        awaitFinished(source);

        String location = given().post("/api/executions/" + source + "/replay").then().statusCode(201)
                .body("replay_of", equalTo(source)).body("workflow_id", equalTo(wf))
                .body("workflow_version", equalTo(1)).extract().header("Location");
        String replay = location.substring(location.lastIndexOf('/') + 1);
        assertThat(replay).isNotEqualTo(source);

        JsonPath done = awaitFinished(replay);
        assertThat(done.getString("status")).isEqualTo("COMPLETED");
        assertThat(done.getInt("input.n")).isEqualTo(21);
        assertThat(done.getInt("output.result")).isEqualTo(42);
        assertThat(done.getString("replay_of")).isEqualTo(source);

        JsonPath src = execution(source);
        assertThat(src.getList("derived.execution_id")).contains(replay);
        assertThat(src.getList("derived.relation")).containsOnly("replay");
        assertThat(src.getString("status")).isEqualTo("COMPLETED"); // recording the replay changes nothing else
    }

    @Test
    void aReplayWithNewInputIsValidatedAgainstTheInputSchemaLikeAStart() {
        String wf = createWorkflow(WorkflowApiTest.SEED);
        String source = start(wf, "{'n': 1}");
        awaitFinished(source);

        given().contentType(ContentType.JSON).body(json("{'input': {'n': 'x'}}"))
                .post("/api/executions/" + source + "/replay").then().statusCode(422)
                .contentType("application/problem+json").body("errors.pointer", hasItem("/input/n"));

        String replay = replay(source, "{'input': {'n': 5}}", 201).getString("execution_id");
        JsonPath done = awaitFinished(replay);
        assertThat(done.getInt("output.result")).isEqualTo(10);
        assertThat(done.getString("replay_of")).isEqualTo(source);
    }

    @Test
    void aReplayRunsTheLatestVersionOrANamedOne() {
        String wf = createWorkflow(WorkflowApiTest.SEED);
        String source = start(wf, "{'n': 2}");
        awaitFinished(source);
        given().contentType(ContentType.JSON)
                .body(json(WorkflowApiTest.SEED.replace("tasks.task1.output.value * 2", "tasks.task1.output.value * 3")))
                .put("/api/workflows/" + wf).then().statusCode(200).body("version", equalTo(2));

        JsonPath latest = replay(source, "{'version': 'latest'}", 201);
        assertThat(latest.getInt("workflow_version")).isEqualTo(2);
        assertThat(awaitFinished(latest.getString("execution_id")).getInt("output.result")).isEqualTo(6);

        JsonPath same = replay(source, null, 201);
        assertThat(same.getInt("workflow_version")).isEqualTo(1);
        assertThat(awaitFinished(same.getString("execution_id")).getInt("output.result")).isEqualTo(4);

        JsonPath two = replay(source, "{'version': 2}", 201);
        assertThat(two.getInt("workflow_version")).isEqualTo(2);

        given().contentType(ContentType.JSON).body(json("{'version': 9}"))
                .post("/api/executions/" + source + "/replay").then().statusCode(404)
                .contentType("application/problem+json");
        assertThat(execution(source).getInt("derived_count")).isEqualTo(3);
    }

    @Test
    void aReplayOfAnUnknownExecutionIs404AndABadBodyIs422WithEveryProblem() {
        given().post("/api/executions/" + UUID.randomUUID() + "/replay").then().statusCode(404)
                .contentType("application/problem+json").body("detail", containsString("execution"));
        given().post("/api/executions/not-an-id/replay").then().statusCode(404)
                .contentType("application/problem+json");

        String wf = createWorkflow(WorkflowApiTest.SEED);
        String source = start(wf, "{'n': 1}");
        given().contentType(ContentType.JSON).body(json("{'version': 'newest', 'extra': true}"))
                .post("/api/executions/" + source + "/replay").then().statusCode(422)
                .contentType("application/problem+json")
                .body("errors.pointer", hasItems("/version", "/extra"))
                .body("errors.detail", hasItem(containsString("\"latest\"")));
        given().contentType(ContentType.JSON).body(json("{'version': 0}"))
                .post("/api/executions/" + source + "/replay").then().statusCode(422)
                .body("errors.pointer", hasItem("/version"));
        given().contentType(ContentType.JSON).body("[1]")
                .post("/api/executions/" + source + "/replay").then().statusCode(422)
                .contentType("application/problem+json");
    }
}
