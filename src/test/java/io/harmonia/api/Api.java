package io.harmonia.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.Set;

/** Small rest-assured helpers shared by the API tests. Single quotes in JSON stand for double quotes. */
final class Api {
    private Api() {}

    static String json(String s) {
        return s.replace('\'', '"');
    }

    static String createWorkflow(String body) {
        return given().contentType(ContentType.JSON).body(json(body))
                .post("/api/workflows").then().statusCode(201).extract().path("workflow_id");
    }

    static String start(String workflowId, String input) {
        return given().contentType(ContentType.JSON)
                .body(json("{'workflow_id': '" + workflowId + "', 'input': " + input + "}"))
                .post("/api/executions").then().statusCode(201).extract().path("execution_id");
    }

    static JsonPath execution(String executionId) {
        return given().get("/api/executions/" + executionId).then().statusCode(200).extract().jsonPath();
    }

    static JsonPath awaitStatus(String executionId, Duration within, String... statuses) {
        Set<String> wanted = Set.of(statuses);
        JsonPath[] last = new JsonPath[1];
        await().atMost(within).pollInterval(Duration.ofMillis(25)).until(() -> {
            last[0] = execution(executionId);
            return wanted.contains(last[0].getString("status"));
        });
        return last[0];
    }

    static JsonPath awaitFinished(String executionId) {
        return awaitStatus(executionId, Duration.ofSeconds(20), "COMPLETED", "FAILED", "CANCELED");
    }

    static JsonPath events(String executionId) {
        return given().get("/api/executions/" + executionId + "/events?limit=1000").then().statusCode(200)
                .extract().jsonPath();
    }
}
