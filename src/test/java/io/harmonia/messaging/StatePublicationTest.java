package io.harmonia.messaging;

import static io.harmonia.api.ApiAccess.createWorkflow;
import static io.harmonia.api.ApiAccess.start;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.http.ContentType;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** A state change from outside reaches Kafka as a CloudEvent, like every other event. */
@QuarkusTest
class StatePublicationTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void aStateUpdateIsPublishedAsIoHarmoniaStateUpdated() {
        String wf = createWorkflow("""
                {'name': 'state-published', 'tasks': [
                  {'id': 'wait', 'component': 'core', 'action': 'sleep', 'input': {'ms': 60000}}]}""");
        String id = start(wf, "{}");
        int sequence = given().contentType(ContentType.JSON).body("{\"state\": {\"approved_by\": \"ana\"}}")
                .patch("/api/state/" + id).then().statusCode(200).extract().path("sequence");
        given().post("/api/executions/" + id + "/cancel").then().statusCode(200);
        try (KafkaEvents events = new KafkaEvents(bootstrap, "harmonia.events")) {
            List<KafkaEvents.Received> received = events.pollUntil(rs -> rs.stream().anyMatch(r -> id.equals(r.key())
                    && "io.harmonia.state.updated".equals(r.header("ce_type"))), Duration.ofSeconds(30));
            KafkaEvents.Received updated = received.stream().filter(r -> id.equals(r.key())
                    && "io.harmonia.state.updated".equals(r.header("ce_type"))).findFirst()
                    .orElseThrow(() -> new AssertionError("no io.harmonia.state.updated for " + id));
            assertThat(updated.header("ce_id")).isEqualTo("execution-" + id + "/" + sequence);
            assertThat(updated.header("ce_subject")).isEqualTo(id);
            assertThat(updated.header("ce_workflowid")).isEqualTo(wf);
            assertThat(updated.value()).contains("\"patch\":{\"approved_by\":\"ana\"}").contains("\"replace\":false");
        }
    }
}
