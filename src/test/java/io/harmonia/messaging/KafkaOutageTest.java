package io.harmonia.messaging;

import static io.harmonia.api.ApiAccess.createWorkflow;
import static io.harmonia.api.ApiAccess.start;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.harmonia.config.devservices.EmbeddedKafka;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Kafka down is not an outage: stop the broker in the middle of many executions, keep running, start it again;
 * every event arrives, per-execution order intact. While publication lags too far, new executions get 429.
 */
@QuarkusTest
@TestProfile(KafkaOutageTest.LowLagBound.class)
class KafkaOutageTest {

    public static class LowLagBound implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("harmonia.kafka.relay.max-lag-events", "150", "harmonia.kafka.relay.lag-interval", "100ms",
                    "harmonia.kafka.relay.stall-timeout", "4s");
        }
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @AfterEach
    void brokerUp() {
        EmbeddedKafka.shared().startBroker();
    }

    private static boolean completed(String id) {
        return "COMPLETED".equals(given().get("/api/executions/" + id).then().extract().path("status"));
    }

    @Test
    void noEventIsLostWhenTheBrokerStopsAndStartsAgain() {
        String wf = createWorkflow("""
                {'name': 'outage', 'tasks': [
                  {'id': 'a', 'component': 'core', 'action': 'echo', 'input': {'n': '${input.n}'}},
                  {'id': 'nap', 'component': 'core', 'action': 'sleep', 'input': {'ms': 300}, 'depends_on': ['a']},
                  {'id': 'c', 'component': 'core', 'action': 'echo', 'depends_on': ['nap']}]}""");
        Map<String, Integer> expected = new LinkedHashMap<>();
        for (int i = 0; i < 15; i++) {
            expected.put(start(wf, "{'n': " + i + "}"), 0);
        }
        EmbeddedKafka.shared().stopBroker();
        // executions keep running without Kafka (10 of them stay under the bound of 150 unpublished events)
        for (int i = 15; i < 25; i++) {
            expected.put(start(wf, "{'n': " + i + "}"), 0);
        }
        // until the backlog is over the bound every start is accepted; then they are refused with 429
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            var answer = given().contentType(ContentType.JSON)
                    .body("{\"workflow_id\": \"" + wf + "\", \"input\": {\"n\": 0}}").post("/api/executions");
            if (answer.statusCode() == 201) {
                expected.put(answer.path("execution_id"), 0);
            }
            return answer.statusCode() == 429;
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> expected.keySet().stream().allMatch(
                KafkaOutageTest::completed));
        given().contentType(ContentType.JSON).body("{\"workflow_id\": \"" + wf + "\", \"input\": {\"n\": 0}}")
                .post("/api/executions").then().statusCode(429).header("Retry-After", "5")
                .contentType("application/problem+json");
        // no progress for longer than the stall timeout while events wait: the service is not ready
        await().atMost(Duration.ofSeconds(20)).until(() -> given().get("/q/health/ready").statusCode() == 503);
        given().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'harmonia-kafka-relay' }.status", org.hamcrest.Matchers.is("DOWN"))
                .body("checks.find { it.name == 'harmonia-kafka-relay' }.data.status",
                        org.hamcrest.Matchers.is("stalled"));

        EmbeddedKafka.shared().startBroker();
        for (String id : expected.keySet()) {
            expected.put(id, PublishedEvents.storedCount(id));
        }
        try (KafkaEvents events = new KafkaEvents(bootstrap, "harmonia.events")) {
            var received = events.pollUntil(r -> PublishedEvents.complete(r, expected), Duration.ofSeconds(60));
            PublishedEvents.assertInOrderWithoutGaps(received, expected);
        }
        // the backlog drained: executions are accepted again
        await().atMost(Duration.ofSeconds(20)).until(() -> given().contentType(ContentType.JSON)
                .body("{\"workflow_id\": \"" + wf + "\", \"input\": {\"n\": 0}}").post("/api/executions")
                .statusCode() == 201);
        assertThat(expected).as("executions started, 15 before the broker stopped").hasSizeGreaterThanOrEqualTo(25);
        await().atMost(Duration.ofSeconds(20)).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }
}
