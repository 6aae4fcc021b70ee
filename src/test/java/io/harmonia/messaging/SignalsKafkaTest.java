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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Signals from the {@code harmonia.signals} topic: binary and structured CloudEvents, before and after the wait
 * starts, delivered twice (recorded once), and records that are not signals or that no execution takes going to the
 * dead-letter topic while the consumer goes on.
 */
@QuarkusTest
class SignalsKafkaTest {
    static final String WAIT = """
            {"name": "kafka-signal", "tasks": [
               {"id": "hold", "component": "core", "action": "sleep", "input": {"ms": "${input.delay_ms}"}},
               {"id": "wait", "component": "core", "action": "wait_for_signal", "depends_on": ["hold"],
                "input": {"name": "payment", "timeout_ms": 60000}}],
             "output": {"paid": "${tasks.wait.output.amount}"}}""";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @Inject
    MeterRegistry metrics;

    private double consumed(String outcome) {
        var c = metrics.find("harmonia.signals.consumed").tag("outcome", outcome).counter();
        return c == null ? 0 : c.count();
    }

    private JsonPath view(String id) {
        return given().get("/api/executions/" + id).then().statusCode(200).extract().jsonPath();
    }

    private JsonPath awaitFinished(String id) {
        JsonPath[] last = new JsonPath[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(25)).until(() -> {
            last[0] = view(id);
            return !last[0].getString("status").equals("RUNNING");
        });
        return last[0];
    }

    /** A binary-mode CloudEvent: the payload is the value, the attributes are headers. */
    private void sendBinary(String executionId, String name, String id, String payload) {
        ProducerRecord<String, String> r = new ProducerRecord<>(Topics.SIGNALS_TOPIC, executionId, payload);
        r.headers().add(Topics.CE_SPECVERSION, bytes("1.0")).add(Topics.CE_TYPE, bytes("io.harmonia.signal"))
                .add(Topics.CE_SOURCE, bytes("/payments")).add(Topics.CE_SUBJECT, bytes(executionId))
                .add(Topics.CE_ID, bytes(id)).add("ce_signalname", bytes(name))
                .add(Topics.CONTENT_TYPE, bytes("application/json"));
        send(r);
    }

    private void sendRaw(String key, String value) {
        send(new ProducerRecord<>(Topics.SIGNALS_TOPIC, key, value));
    }

    private void send(ProducerRecord<String, String> record) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            producer.send(record);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The consumer is live: a signal for an execution nobody knows comes back as refused. */
    @BeforeEach
    void consumerIsLive() {
        double before = consumed("refused");
        sendBinary(UUID.randomUUID().toString(), "probe", UUID.randomUUID().toString(), "{}");
        await().atMost(Duration.ofSeconds(90)).until(() -> consumed("refused") > before);
    }

    @Test
    void aBinaryCloudEventAfterTheWaitStartedCompletesItAndARedeliveryRecordsNothing() {
        String id = start(createWorkflow(WAIT), "{\"delay_ms\": 0}");
        await().atMost(Duration.ofSeconds(20)).until(() ->
                "RUNNING".equals(view(id).getString("task_executions.wait.status")));
        String signalId = UUID.randomUUID().toString();
        sendBinary(id, "payment", signalId, "{\"amount\": 42}");
        JsonPath done = awaitFinished(id);
        assertThat(done.getString("status")).isEqualTo("COMPLETED");
        assertThat(done.getInt("output.paid")).isEqualTo(42);

        double duplicates = consumed("duplicate");
        sendBinary(id, "payment", signalId, "{\"amount\": 42}");
        await().atMost(Duration.ofSeconds(15)).until(() -> consumed("duplicate") > duplicates);
        assertThat(view(id).getInt("signals.payment.received")).isEqualTo(1);
    }

    @Test
    void aStructuredCloudEventBeforeTheWaitStartsIsKeptForIt() {
        String id = start(createWorkflow(WAIT), "{\"delay_ms\": 1500}");
        double recorded = consumed("recorded");
        sendRaw(id, "{\"specversion\": \"1.0\", \"type\": \"io.harmonia.signal\", \"source\": \"/payments\","
                + " \"id\": \"" + UUID.randomUUID() + "\", \"signalname\": \"payment\","
                + " \"datacontenttype\": \"application/json\", \"data\": {\"amount\": 7}}");
        await().atMost(Duration.ofSeconds(15)).until(() -> consumed("recorded") > recorded);
        JsonPath kept = view(id);
        assertThat(kept.getString("task_executions.wait.status")).isEqualTo("PENDING");
        assertThat(kept.getInt("signals.payment.pending")).isEqualTo(1);
        JsonPath done = awaitFinished(id);
        assertThat(done.getString("status")).isEqualTo("COMPLETED");
        assertThat(done.getInt("output.paid")).isEqualTo(7);
    }

    @Test
    void recordsThatAreNotSignalsGoToTheDeadLetterTopicAndTheConsumerGoesOn() {
        double malformed = consumed("malformed");
        sendRaw("k", "this is not json");
        sendRaw(UUID.randomUUID().toString(), "{\"amount\": 1}"); // no signal name, no id
        await().atMost(Duration.ofSeconds(15)).until(() -> consumed("malformed") >= malformed + 2);
        try (KafkaEvents dlt = new KafkaEvents(bootstrap, Topics.SIGNALS_DLT)) {
            assertThat(dlt.pollUntil(r -> r.stream().anyMatch(x -> "this is not json".equals(x.value())),
                    Duration.ofSeconds(20))).anyMatch(x -> "this is not json".equals(x.value()));
        }
        // and the next signal is delivered
        String id = start(createWorkflow(WAIT), "{\"delay_ms\": 0}");
        sendBinary(id, "payment", UUID.randomUUID().toString(), "{\"amount\": 3}");
        assertThat(awaitFinished(id).getInt("output.paid")).isEqualTo(3);
    }
}
