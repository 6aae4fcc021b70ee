package io.harmonia.messaging;

import static io.harmonia.api.ApiAccess.createWorkflow;
import static io.harmonia.api.ApiAccess.start;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import javax.management.ObjectName;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * {@code HARMONIA_KAFKA_ENABLED=false} runs Harmonia without Kafka: no embedded broker, no relay, no task-results
 * consumer, no Kafka client at all; workflows run, events are served by the API, a task of a worker component fails
 * with a message naming the switch.
 */
@QuarkusTest
@TestProfile(WithoutKafkaTest.KafkaDisabled.class)
class WithoutKafkaTest {

    public static class KafkaDisabled implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("harmonia.kafka.enabled", "false");
        }
    }

    private static JsonPath awaitFinished(String id) {
        JsonPath[] last = new JsonPath[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            last[0] = given().get("/api/executions/" + id).then().extract().jsonPath();
            return !last[0].getString("status").equals("RUNNING");
        });
        return last[0];
    }

    /** The Kafka clients Harmonia would create register these MBeans while they live. */
    private static int kafkaClients() throws Exception {
        var server = ManagementFactory.getPlatformMBeanServer();
        int n = 0;
        for (String pattern : new String[] {"kafka.producer:*", "kafka.consumer:*", "kafka.admin.client:*"}) {
            n += server.queryNames(new ObjectName(pattern), null).size();
        }
        return n;
    }

    @Test
    void workflowsRunWithoutKafkaAndNoKafkaClientIsCreated() throws Exception {
        assertThat(ConfigProvider.getConfig().getOptionalValue("kafka.bootstrap.servers", String.class))
                .as("no embedded broker is started").isEmpty();
        String wf = createWorkflow("""
                {'name': 'no-kafka', 'tasks': [
                  {'id': 'a', 'component': 'core', 'action': 'echo', 'input': {'n': '${input.n}'}},
                  {'id': 'b', 'component': 'core', 'action': 'echo', 'depends_on': ['a']}]}""");
        String id = start(wf, "{'n': 1}");
        assertThat(awaitFinished(id).getString("status")).isEqualTo("COMPLETED");
        assertThat(PublishedEvents.storedCount(id)).isGreaterThan(3);

        String worker = createWorkflow("""
                {'name': 'no-kafka-worker', 'tasks': [
                  {'id': 'run', 'component': 'ergon', 'action': 'execute_command', 'input': {'command': 'true'}}]}""");
        JsonPath failed = awaitFinished(start(worker, "{}"));
        assertThat(failed.getString("status")).isEqualTo("FAILED");
        assertThat(failed.getString("error.message")).contains("HARMONIA_KAFKA_ENABLED=false")
                .contains("ergon");

        given().get("/q/health/ready").then().statusCode(200);
        assertThat(kafkaClients()).as("Kafka client MBeans").isZero();
    }
}
