package io.harmonia.messaging;

import static io.harmonia.api.ApiAccess.createWorkflow;
import static io.harmonia.api.ApiAccess.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
class EventPublicationTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void everyEventIsPublishedAsACloudEventInOrderPerExecution() {
        String wf = createWorkflow("""
                {'name': 'published', 'tasks': [
                  {'id': 'a', 'component': 'core', 'action': 'echo', 'input': {'n': '${input.n}'}},
                  {'id': 'b', 'component': 'core', 'action': 'echo', 'depends_on': ['a']},
                  {'id': 'c', 'component': 'core', 'action': 'echo', 'depends_on': ['a']}]}""");
        Map<String, Integer> expected = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            expected.put(start(wf, "{'n': " + i + "}"), 0);
        }
        for (String id : expected.keySet()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> "COMPLETED".equals(
                    RestAssured.given().get("/api/executions/" + id).then().extract().path("status")));
            expected.put(id, PublishedEvents.storedCount(id));
        }
        try (KafkaEvents events = new KafkaEvents(bootstrap, "harmonia.events")) {
            var received = events.pollUntil(r -> PublishedEvents.complete(r, expected), Duration.ofSeconds(30));
            PublishedEvents.assertInOrderWithoutGaps(received, expected);
            String first = expected.keySet().iterator().next();
            var completed = received.stream().filter(r -> first.equals(r.key())
                    && "io.harmonia.task.completed".equals(r.header("ce_type"))).findFirst().orElseThrow();
            assertThat(completed.header("ce_specversion")).isEqualTo("1.0");
            assertThat(completed.header("ce_subject")).isEqualTo(first);
            assertThat(completed.header("ce_workflowid")).isEqualTo(wf);
            assertThat(completed.header("ce_source")).isEqualTo("/harmonia");
            assertThat(completed.header("ce_time")).isNotBlank();
            assertThat(completed.header("content-type")).isEqualTo("application/json");
            assertThat(completed.value()).contains("\"task_id\":\"a\"");
            assertThat(received.stream().filter(r -> wf.equals(r.key())).map(r -> r.header("ce_type")))
                    .contains("io.harmonia.workflow.defined");
        }
    }
}
