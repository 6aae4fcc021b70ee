package io.harmonia.messaging;

import static io.harmonia.api.ApiAccess.createWorkflow;
import static io.harmonia.api.ApiAccess.start;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A checkpoint is an event of its execution's stream, so it reaches Kafka like any other: as a CloudEvent of type
 * {@code io.harmonia.checkpoint.created} with the snapshot as data, or, when the snapshot is larger than a record may
 * be, as a reference record naming the API address that serves it.
 */
@QuarkusTest
class CheckpointPublicationTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    private static String sleeper() {
        return createWorkflow("""
                {'name': 'published-checkpoint', 'tasks': [
                  {'id': 'a', 'component': 'core', 'action': 'sleep', 'input': {'ms': 60000}}]}""");
    }

    private static JsonPath checkpoint(String executionId) {
        return given().contentType(ContentType.JSON).body("{\"execution_id\": \"" + executionId + "\"}")
                .post("/api/checkpoints").then().statusCode(201).extract().jsonPath();
    }

    private KafkaEvents.Received published(String executionId, int sequence) {
        try (KafkaEvents events = new KafkaEvents(bootstrap, "harmonia.events")) {
            String seq = String.valueOf(sequence);
            var received = events.pollUntil(rs -> rs.stream().anyMatch(r -> executionId.equals(r.key())
                    && seq.equals(r.header("ce_sequence"))), Duration.ofSeconds(60));
            return received.stream().filter(r -> executionId.equals(r.key()) && seq.equals(r.header("ce_sequence")))
                    .findFirst().orElseThrow(() -> new AssertionError("no record of event " + seq + " of "
                            + executionId + " on harmonia.events"));
        }
    }

    private static void cancel(String id) {
        given().post("/api/executions/" + id + "/cancel").then().statusCode(200);
    }

    @Test
    void aCheckpointIsPublishedAsACheckpointCreatedCloudEventWithItsSnapshot() {
        String id = start(sleeper(), "{'n': 1}");
        await().atMost(Duration.ofSeconds(10)).until(() -> "RUNNING".equals(given().get("/api/executions/" + id)
                .then().extract().path("task_executions.a.status")));
        JsonPath cp = checkpoint(id);
        cancel(id);

        KafkaEvents.Received record = published(id, cp.getInt("sequence") + 1);

        assertThat(record.header("ce_type")).isEqualTo("io.harmonia.checkpoint.created");
        assertThat(record.header("ce_id")).isEqualTo("execution-" + id + "/" + (cp.getInt("sequence") + 1));
        JsonPath data = new JsonPath(record.value());
        assertThat(data.getString("checkpoint_id")).isEqualTo(cp.getString("checkpoint_id"));
        assertThat(data.getString("reason")).isEqualTo("request");
        assertThat(data.getString("snapshot.execution_id")).isEqualTo(id);
        assertThat(data.getString("snapshot.status")).isEqualTo("RUNNING");
    }

    @Test
    void aCheckpointLargerThanARecordIsPublishedAsAReferenceToTheEvent() {
        // an input just under the 1 MiB input limit: the snapshot that holds it does not fit in a Kafka record
        String id = start(sleeper(), "{'s': '" + "x".repeat(1_048_000) + "'}");
        await().atMost(Duration.ofSeconds(10)).until(() -> "RUNNING".equals(given().get("/api/executions/" + id)
                .then().extract().path("status")));
        JsonPath cp = checkpoint(id);
        cancel(id);
        int sequence = cp.getInt("sequence") + 1;

        KafkaEvents.Received reference = published(id, sequence);

        assertThat(reference.header("ce_type")).isEqualTo("io.harmonia.checkpoint.created");
        assertThat(reference.header("ce_harmoniaclaimcheck")).isEqualTo("too_large");
        String href = "/api/executions/" + id + "/events?after=" + (sequence - 1) + "&limit=1";
        assertThat(reference.header("ce_dataref")).isEqualTo(href);
        assertThat(reference.value().length()).isLessThan(2000);
        JsonPath served = given().get(href).then().statusCode(200).extract().jsonPath();
        assertThat(served.getString("items[0].type")).isEqualTo("CheckpointCreated");
        assertThat(served.getString("items[0].data.checkpoint_id")).isEqualTo(cp.getString("checkpoint_id"));
    }
}
