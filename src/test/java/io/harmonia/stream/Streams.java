package io.harmonia.stream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** Helpers for stream tests: execution status, stored history, order checks. */
final class Streams {
    private Streams() {}

    static String status(String executionId) {
        return given().get("/api/executions/" + executionId).then().statusCode(200).extract().path("status");
    }

    static void awaitStatus(String executionId, String... statuses) {
        Set<String> wanted = Set.of(statuses);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(25))
                .until(() -> wanted.contains(status(executionId)));
    }

    static void awaitFinished(String executionId) {
        awaitStatus(executionId, "COMPLETED", "FAILED", "CANCELED");
    }

    /** The stored event types of an execution, in order (GET /api/executions/{id}/events). */
    static List<String> storedTypes(String executionId) {
        JsonPath p = given().get("/api/executions/" + executionId + "/events?limit=1000").then().statusCode(200)
                .extract().jsonPath();
        return p.getList("items.type", String.class);
    }

    static int storedCount(String executionId) {
        return storedTypes(executionId).size();
    }

    /** Asserts the sequences are exactly from, from+1, ..., to. */
    static void assertConsecutive(List<Integer> sequences, int from, int to) {
        assertThat(sequences).as("sequences without gap or duplicate")
                .isEqualTo(java.util.stream.IntStream.rangeClosed(from, to).boxed().toList());
    }

    static List<Integer> sequences(List<JsonNode> messages) {
        return messages.stream().map(m -> m.path("sequence").asInt()).toList();
    }

    static String streamName(String storedType) {
        return StreamTypes.of(storedType);
    }
}
