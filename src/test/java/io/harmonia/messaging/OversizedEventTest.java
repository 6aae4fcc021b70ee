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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * No event can stop publication: an event larger than Kafka takes (an execution input just under the 1 MiB input
 * limit) is published as a reference record naming the API address that serves it, and the events after it follow.
 * The same holds when the broker refuses a record that Harmonia's own limit lets through.
 */
@QuarkusTest
class OversizedEventTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    MeterRegistry metrics;

    private double claimChecks(String reason) {
        var counter = metrics.find("harmonia.relay.claim.checks").tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    private static String workflow() {
        return createWorkflow("""
                {'name': 'oversized', 'tasks': [
                  {'id': 'a', 'component': 'core', 'action': 'echo', 'input': {'n': 1}}]}""");
    }

    private static void awaitCompleted(String id) {
        await().atMost(Duration.ofSeconds(30)).until(() -> "COMPLETED".equals(
                given().get("/api/executions/" + id).then().extract().path("status")));
    }

    @Test
    void anEventLargerThanTheRecordLimitIsPublishedAsAReferenceAndPublicationGoesOn() {
        String wf = workflow();
        double before = claimChecks("too_large");
        // given an execution whose input (1,048,000 characters, under the 1 MiB input limit) is accepted but does not fit in a Kafka record
        String big = start(wf, "{'s': '" + "x".repeat(1_048_000) + "'}");
        Map<String, Integer> expected = new LinkedHashMap<>();
        expected.put(big, 0);
        // when more executions follow it
        for (int i = 0; i < 3; i++) {
            expected.put(start(wf, "{'n': " + i + "}"), 0);
        }
        for (String id : expected.keySet()) {
            awaitCompleted(id);
            expected.put(id, PublishedEvents.storedCount(id));
        }
        // then every event of every execution arrives, the big one as a reference record
        try (KafkaEvents events = new KafkaEvents(bootstrap, "harmonia.events")) {
            var received = events.pollUntil(r -> PublishedEvents.complete(r, expected), Duration.ofSeconds(60));
            PublishedEvents.assertInOrderWithoutGaps(received, expected);
            var reference = received.stream().filter(r -> big.equals(r.key()) && "1".equals(r.header("ce_sequence")))
                    .findFirst().orElseThrow();
            assertReference(reference, big, "too_large");
            assertThat(reference.header("ce_type")).isEqualTo("io.harmonia.execution.started");
            assertThat(reference.header("ce_id")).isEqualTo("execution-" + big + "/1");
            assertThat(reference.value().length()).isLessThan(2000);
        }
        assertThat(claimChecks("too_large")).isGreaterThanOrEqualTo(before + 1);
        given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void aRecordTheBrokerRefusesAsTooLargeIsPublishedAsAReference() throws Exception {
        String wf = workflow();
        double before = claimChecks("refused");
        try (Admin admin = admin()) {
            // given a topic that takes smaller records than harmonia.kafka.relay.max-record-bytes lets through
            topicMaxMessageBytes(admin, "200000");
            // when an execution's first event (300,000 characters of input) is larger than that
            String big = start(wf, "{'s': '" + "y".repeat(300_000) + "'}");
            String after = start(wf, "{'n': 1}");
            Map<String, Integer> expected = new LinkedHashMap<>();
            expected.put(big, 0);
            expected.put(after, 0);
            for (String id : expected.keySet()) {
                awaitCompleted(id);
                expected.put(id, PublishedEvents.storedCount(id));
            }
            // then the refused event arrives as a reference record, and publication goes on
            try (KafkaEvents events = new KafkaEvents(bootstrap, "harmonia.events")) {
                var received = events.pollUntil(r -> PublishedEvents.complete(r, expected), Duration.ofSeconds(60));
                PublishedEvents.assertInOrderWithoutGaps(received, expected);
                var reference = received.stream()
                        .filter(r -> big.equals(r.key()) && "1".equals(r.header("ce_sequence")))
                        .filter(r -> r.header("ce_dataref") != null).findFirst().orElseThrow();
                assertReference(reference, big, "refused");
            }
            assertThat(claimChecks("refused")).isGreaterThanOrEqualTo(before + 1);
        } finally {
            try (Admin admin = admin()) {
                topicMaxMessageBytes(admin, null);
            }
        }
    }

    /** The reference record names the API address that serves the event, and that address serves it. */
    private static void assertReference(KafkaEvents.Received reference, String executionId, String reason) {
        String href = "/api/executions/" + executionId + "/events?after=0&limit=1";
        assertThat(reference.header("ce_dataref")).isEqualTo(href);
        assertThat(reference.header("ce_harmoniaclaimcheck")).isEqualTo(reason);
        JsonPath body = new JsonPath(reference.value());
        assertThat(body.getBoolean("claim_check")).isTrue();
        assertThat(body.getString("href")).isEqualTo(href);
        assertThat(body.getString("reason")).isEqualTo(reason);
        assertThat(body.getLong("size_bytes")).isGreaterThan(200_000L);
        JsonPath served = given().get(href).then().statusCode(200).extract().jsonPath();
        List<Map<String, Object>> items = served.getList("items");
        assertThat(items).hasSize(1);
        assertThat(served.getInt("items[0].sequence")).isEqualTo(1);
        assertThat(served.getString("items[0].type")).isEqualTo("ExecutionStarted");
        assertThat(served.getString("items[0].data.input.s")).hasSizeGreaterThan(200_000);
    }

    private Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return Admin.create(p);
    }

    private static void topicMaxMessageBytes(Admin admin, String value) throws Exception {
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "harmonia.events");
        AlterConfigOp op = value == null
                ? new AlterConfigOp(new ConfigEntry("max.message.bytes", ""), AlterConfigOp.OpType.DELETE)
                : new AlterConfigOp(new ConfigEntry("max.message.bytes", value), AlterConfigOp.OpType.SET);
        admin.incrementalAlterConfigs(Map.of(topic, List.of(op))).all().get();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            ConfigEntry e = admin.describeConfigs(List.of(topic)).all().get().get(topic).get("max.message.bytes");
            return value == null ? e.isDefault() || e.source() != ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG
                    : value.equals(e.value());
        });
    }
}
