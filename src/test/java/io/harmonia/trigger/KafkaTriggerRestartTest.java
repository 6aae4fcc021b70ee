package io.harmonia.trigger;

import static io.harmonia.trigger.TriggerRecords.executions;
import static io.harmonia.trigger.TriggerRecords.trigger;
import static io.harmonia.trigger.TriggerRecords.workflow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.harmonia.config.devservices.EmbeddedKafka;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The test: a Kafka trigger over 10,000 records with a broker restart in the middle starts exactly 10,000
 * executions (counted in Postgres): offsets are committed only after the starts are durable, and records delivered
 * again find their executions by their chosen ids.
 */
@QuarkusTest
class KafkaTriggerRestartTest {
    private static final Logger LOG = Logger.getLogger(KafkaTriggerRestartTest.class);
    private static final int RECORDS = 10_000;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @Inject
    Pool pool;

    @AfterEach
    void brokerUp() {
        EmbeddedKafka.shared().startBroker();
    }

    @Test
    void tenThousandRecordsWithABrokerRestartStartTenThousandExecutions() throws Exception {
        String wf = workflow("{'name': 'per record', 'tasks': [{'id': 'a', 'component': 'core', 'action': 'echo'}]}");
        String topic;
        try (TriggerRecords records = new TriggerRecords(bootstrap)) {
            topic = records.topic(4);
            for (int i = 0; i < RECORDS; i++) {
                records.sendAsync(topic, "order-" + i, "{\"order\": " + i + "}");
            }
            records.flush();
        }
        long t0 = System.nanoTime();
        trigger("{'name': 'load', 'workflow_id': '" + wf + "', 'source': {'kafka': {'topic': '" + topic + "',"
                + " 'format': 'json'}}, 'input': {'order': '${event.value.order}'}}");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> executions(pool, wf) >= RECORDS / 4);
        long before = executions(pool, wf);
        EmbeddedKafka.shared().stopBroker();
        // the broker stays away for a while: batches in flight finish, their commits fail, they are rewound
        await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> true);
        long whileDown = executions(pool, wf);
        EmbeddedKafka.shared().startBroker();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .until(() -> executions(pool, wf) >= RECORDS);
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        // and no more: redelivered records found their executions
        await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> true);
        assertThat(executions(pool, wf)).isEqualTo(RECORDS);
        LOG.infof("10,000 records -> %d executions in %d s (%d before the broker stopped, %d while it was down)",
                RECORDS, seconds, before, whileDown);
    }
}
