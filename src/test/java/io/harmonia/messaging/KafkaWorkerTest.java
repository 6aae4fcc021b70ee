package io.harmonia.messaging;

import static io.harmonia.api.ApiAccess.createWorkflow;
import static io.harmonia.api.ApiAccess.start;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** Tasks done by an external worker over Kafka (the test profile declares worker component "ergon"). */
@QuarkusTest
class KafkaWorkerTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    MeterRegistry metrics;

    private JsonPath awaitFinished(String id) {
        JsonPath[] last = new JsonPath[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            last[0] = given().get("/api/executions/" + id).then().extract().jsonPath();
            return !last[0].getString("status").equals("RUNNING");
        });
        return last[0];
    }

    private double results(String outcome) {
        var c = metrics.find("harmonia.worker.results").tag("outcome", outcome).counter();
        return c == null ? 0 : c.count();
    }

    private void sendRaw(String value) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>("harmonia.task-results", "k", value));
        }
    }

    @Test
    void aWorkerDoesTheTaskAndLateDuplicateAndMalformedResultsAreNotApplied() throws Exception {
        String wf = createWorkflow("""
                {'name': 'worker', 'output': {'out': '${tasks.run.output.stdout}'}, 'tasks': [
                  {'id': 'run', 'component': 'ergon', 'action': 'execute_command', 'timeout_ms': 20000,
                   'input': {'command': 'echo ${input.word}'}}]}""");
        // the worker's topic exists before the worker subscribes (as an operator would create it); a consumer that
        // subscribes to a missing topic may not see it appear until its next metadata refresh
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                java.util.Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(java.util.List.of(new org.apache.kafka.clients.admin.NewTopic("harmonia.tasks.ergon", 3,
                    (short) 1))).all().get(20, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                throw e;
            }
        }
        // Harmonia's results consumer is live before the task starts: after another test class restarted the
        // broker, its group can take longer to rejoin than the task's 20 s timeout (seen once in CI)
        double probesBefore = results("unknown");
        sendRaw("{\"execution_id\": \"" + java.util.UUID.randomUUID() + "\", \"task_id\": \"probe\", \"attempt\": 1,"
                + " \"status\": \"COMPLETED\"}");
        await().atMost(Duration.ofSeconds(90)).until(() -> results("unknown") > probesBefore);
        try (ExampleWorker worker = new ExampleWorker(bootstrap)) {
            JsonPath done = awaitFinished(start(wf, "{'word': 'hello'}"));
            assertThat(done.getString("status")).isEqualTo("COMPLETED");
            assertThat(done.getString("output.out")).isEqualTo("ran: echo hello");
            String executionId = done.getString("execution_id");

            // a duplicate of the result that was applied changes nothing and is counted
            double ignoredBefore = results("ignored");
            sendRaw("{\"execution_id\": \"" + executionId + "\", \"task_id\": \"run\", \"attempt\": 1,"
                    + " \"status\": \"COMPLETED\", \"output\": {\"stdout\": \"again\"}}");
            await().atMost(Duration.ofSeconds(15)).until(() -> results("ignored") > ignoredBefore);
            assertThat(given().get("/api/executions/" + executionId).then().extract().jsonPath()
                    .getString("output.out")).isEqualTo("ran: echo hello");

            // a result for an execution nobody knows is counted as unknown
            double unknownBefore = results("unknown");
            sendRaw("{\"execution_id\": \"" + java.util.UUID.randomUUID() + "\", \"task_id\": \"x\", \"attempt\": 1,"
                    + " \"status\": \"COMPLETED\"}");
            await().atMost(Duration.ofSeconds(15)).until(() -> results("unknown") > unknownBefore);

            // a malformed record goes to the dead-letter topic and the consumer goes on
            double malformedBefore = results("malformed");
            sendRaw("this is not json");
            await().atMost(Duration.ofSeconds(15)).until(() -> results("malformed") > malformedBefore);
            try (KafkaEvents dlt = new KafkaEvents(bootstrap, "harmonia.task-results.dlt")) {
                assertThat(dlt.pollUntil(r -> r.stream().anyMatch(x -> "this is not json".equals(x.value())),
                        Duration.ofSeconds(20))).anyMatch(x -> "this is not json".equals(x.value()));
            }

            // failures reported by the worker fail the task with the worker's error type
            String failing = createWorkflow("""
                    {'name': 'worker-fails', 'tasks': [{'id': 'run', 'component': 'ergon', 'action': 'refuse'}]}""");
            JsonPath failed = awaitFinished(start(failing, "{}"));
            assertThat(failed.getString("status")).isEqualTo("FAILED");
            assertThat(failed.getString("error.type")).isEqualTo("CLIENT_ERROR");
        }
    }
}
