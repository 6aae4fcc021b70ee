package io.harmonia.trigger;

import static io.harmonia.trigger.TriggerRecords.executions;
import static io.harmonia.trigger.TriggerRecords.trigger;
import static io.harmonia.trigger.TriggerRecords.workflow;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Kafka triggers against the in-JVM broker: records start executions, at most once per key. */
@QuarkusTest
class KafkaTriggerTest {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @Inject
    Pool pool;
    private TriggerRecords records;
    private String wf;

    @BeforeEach
    void setUp() {
        records = new TriggerRecords(bootstrap);
        wf = workflow("{'name': 'on record', 'tasks': [{'id': 'a', 'component': 'core', 'action': 'echo'}]}");
    }

    @AfterEach
    void tearDown() {
        records.close();
    }

    private static int stat(String triggerId, String name) {
        return given().get("/api/triggers/" + triggerId).then().statusCode(200).extract().path("stats." + name);
    }

    @Test
    void recordsStartExecutions_filtered_onceperKey_andAMalformedRecordIsSkipped() throws Exception {
        String topic = records.topic(3);
        String id = trigger("{'name': 'orders', 'workflow_id': '" + wf + "', 'source': {'kafka': {'topic': '"
                + topic + "', 'format': 'json'}}, 'filter': 'event.value.total > 100',"
                + " 'input': {'order': '${event.value.order}', 'partition': '${event.partition}'}}");
        records.send(topic, "o-1", "{\"order\": 1, \"total\": 150}", Map.of());
        records.send(topic, "o-2", "{\"order\": 2, \"total\": 50}", Map.of()); // filtered out
        records.send(topic, "o-3", "not json at all", Map.of()); // malformed: skipped
        records.send(topic, "o-4", "{\"order\": 4, \"total\": 400}", Map.of());
        records.send(topic, "o-1", "{\"order\": 1, \"total\": 150}", Map.of()); // the same key again
        await().atMost(Duration.ofSeconds(30)).until(() -> stat(id, "fired") + stat(id, "ignored")
                + stat(id, "failed") == 5);
        assertThat(executions(pool, wf)).isEqualTo(2);
        assertThat(stat(id, "fired")).isEqualTo(3); // o-1 twice (one execution), o-4
        assertThat(stat(id, "ignored")).isEqualTo(1);
        assertThat(stat(id, "failed")).isEqualTo(1);
        assertThat(TriggerRecords.inputs(pool, wf)).allMatch(i -> i.contains("\"order\""));

        // the trigger's changes are events of its own stream
        given().post("/api/triggers/" + id + "/pause").then().statusCode(200);
        var types = pool.preparedQuery("select event_type from events where stream_id = $1 order by stream_version")
                .execute(Tuple.of("trigger-" + id)).await().indefinitely().stream().map(r -> r.getString(0)).toList();
        assertThat(types).containsExactly("TriggerCreated", "TriggerPaused");
        // paused: records wait in the topic; resumed, they fire
        records.send(topic, "o-5", "{\"order\": 5, \"total\": 500}", Map.of());
        given().post("/api/triggers/" + id + "/resume").then().statusCode(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> executions(pool, wf) == 3);
    }

    @Test
    void cloudEventsGiveTheirDataAndAttributes() throws Exception {
        String topic = records.topic(1);
        String id = trigger("{'name': 'ce', 'workflow_id': '" + wf + "', 'source': {'kafka': {'topic': '" + topic
                + "'}}, 'filter': 'event.attributes.type == \\\"com.example.paid\\\"',"
                + " 'input': {'amount': '${event.value.amount}', 'id': '${event.attributes.id}'}}");
        // binary mode: attributes in ce_ headers, no record key (the key is source/id)
        records.send(topic, null, "{\"amount\": 5}", Map.of("ce_specversion", "1.0", "ce_id", "evt-1",
                "ce_source", "/shop", "ce_type", "com.example.paid"));
        // structured mode, the same event again: not a second execution
        records.send(topic, null, "{\"specversion\": \"1.0\", \"id\": \"evt-1\", \"source\": \"/shop\", \"type\":"
                + " \"com.example.paid\", \"data\": {\"amount\": 5}}", Map.of());
        records.send(topic, null, "{\"specversion\": \"1.0\", \"id\": \"evt-2\", \"source\": \"/shop\", \"type\":"
                + " \"com.example.refunded\", \"data\": {\"amount\": 5}}", Map.of());
        await().atMost(Duration.ofSeconds(30)).until(() -> stat(id, "fired") + stat(id, "ignored") == 3);
        assertThat(executions(pool, wf)).isEqualTo(1);
        assertThat(TriggerRecords.inputs(pool, wf)).singleElement().satisfies(input -> assertThat(
                io.harmonia.eventstore.EventCodec.json().readTree(input)).isEqualTo(
                        io.harmonia.eventstore.EventCodec.json().readTree("{\"amount\": 5, \"id\": \"evt-1\"}")));
    }
}
