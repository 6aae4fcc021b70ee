package io.harmonia.messaging;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The minimal external worker of the README, with the plain Kafka client: read task requests from
 * {@code harmonia.tasks.ergon}, do the work, answer on {@code harmonia.task-results}.
 */
final class ExampleWorker implements Runnable, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String bootstrap;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread = new Thread(this, "example-worker");

    ExampleWorker(String bootstrap) {
        this.bootstrap = bootstrap;
        thread.start();
    }

    @Override
    public void run() {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "ergon-workers");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 1000);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c);
                KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            consumer.subscribe(List.of("harmonia.tasks.ergon"));
            while (running.get()) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    JsonNode task = JSON.readTree(r.value());
                    ObjectNode data = JSON.createObjectNode();
                    data.set("execution_id", task.get("execution_id"));
                    data.set("task_id", task.get("task_id"));
                    data.set("run", task.get("run"));
                    data.set("attempt", task.get("attempt"));
                    if (task.get("action").asText().equals("execute_command")) {
                        data.put("status", "COMPLETED");
                        data.putObject("output").put("stdout", "ran: " + task.at("/input/command").asText());
                    } else {
                        data.put("status", "FAILED").put("error_type", "CLIENT_ERROR").put("message", "refused");
                    }
                    ObjectNode event = JSON.createObjectNode().put("specversion", "1.0")
                            .put("id", UUID.randomUUID().toString()).put("source", "/workers/ergon")
                            .put("type", "io.harmonia.task.result");
                    event.set("data", data);
                    producer.send(new ProducerRecord<>("harmonia.task-results", r.key(), event.toString()));
                }
            }
        } catch (Exception e) {
            if (running.get()) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(10_000);
    }
}
