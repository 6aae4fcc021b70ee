package io.harmonia.trigger;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Helpers of the Kafka trigger tests: a topic, a producer of records, triggers and counts read from Postgres. */
final class TriggerRecords implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String bootstrap;

    TriggerRecords(String bootstrap) {
        this.bootstrap = bootstrap;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // not idempotent, one request in flight: sending to a topic created a moment ago can meet "invalid metadata"
        // retries, which an idempotent producer with several batches in flight may turn into a fatal
        // OutOfOrderSequenceException (records lost to the test); a retried record here may at worst be a duplicate,
        // which a trigger's key (the record key) turns into the same execution anyway
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        producer = new KafkaProducer<>(p);
    }

    /** A new topic with {@code partitions} partitions. */
    String topic(int partitions) throws Exception {
        String name = "trigger-test-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
        }
        return name;
    }

    void send(String topic, String key, String value, Map<String, String> headers) throws Exception {
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, null,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8));
        headers.forEach((k, v) -> r.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
        producer.send(r).get();
    }

    /** Sends without waiting for each acknowledgement; {@link #flush()} waits for all and fails if any failed. */
    void sendAsync(String topic, String key, String value) {
        producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8)), (metadata, err) -> {
                    if (err != null) {
                        failed.compareAndSet(null, err);
                    }
                });
    }

    private final java.util.concurrent.atomic.AtomicReference<Exception> failed =
            new java.util.concurrent.atomic.AtomicReference<>();

    void flush() {
        producer.flush();
        if (failed.get() != null) {
            throw new IllegalStateException("a test record could not be sent", failed.get());
        }
    }

    static String trigger(String body) {
        return given().contentType(ContentType.JSON).body(body.replace('\'', '"')).post("/api/triggers").then()
                .statusCode(201).extract().path("trigger_id");
    }

    static String workflow(String body) {
        return given().contentType(ContentType.JSON).body(body.replace('\'', '"')).post("/api/workflows").then()
                .statusCode(201).extract().path("workflow_id");
    }

    static long executions(Pool pool, String workflowId) {
        return pool.preparedQuery("select count(*) from executions where workflow_id = $1")
                .execute(Tuple.of(UUID.fromString(workflowId))).await().indefinitely().iterator().next().getLong(0);
    }

    static List<String> inputs(Pool pool, String workflowId) {
        return pool.preparedQuery("select (view->'input')::text from executions where workflow_id = $1"
                        + " order by created_at")
                .execute(Tuple.of(UUID.fromString(workflowId))).await().indefinitely().stream()
                .map(r -> r.getString(0)).toList();
    }

    @Override
    public void close() {
        producer.close();
    }
}
