package io.harmonia.webhook;

import static io.restassured.RestAssured.given;

/** Stored events of an execution, through the API. */
final class Streams {
    private Streams() {}

    static int count(String executionId) {
        return given().get("/api/executions/" + executionId + "/events?limit=1000").then().statusCode(200)
                .extract().jsonPath().getList("items").size();
    }

    /** The sequence of the execution's last event, once it finished. */
    static int last(String executionId) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> java.util.Set.of(
                "COMPLETED", "FAILED", "CANCELED").contains(given().get("/api/executions/" + executionId).then()
                .extract().path("status")));
        return count(executionId);
    }
}
