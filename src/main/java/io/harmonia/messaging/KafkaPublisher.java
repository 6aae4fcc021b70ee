package io.harmonia.messaging;

import io.smallrye.mutiny.Uni;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * One idempotent producer (acks=all) for everything Harmonia publishes. Connection settings come from the global
 * {@code kafka.*} configuration. {@code send} may block while the broker is unreachable (up to max.block.ms), so it
 * runs on a dedicated thread, never on the event loop.
 */
@ApplicationScoped
public class KafkaPublisher {

    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "harmonia-kafka-send");
        t.setDaemon(true);
        return t;
    });
    private volatile KafkaProducer<String, byte[]> producer;

    /** The producer settings: every {@code kafka.*} property, then Harmonia's delivery guarantees. */
    static Map<String, Object> settings(Config config) {
        Map<String, Object> props = new HashMap<>();
        for (String name : config.getPropertyNames()) {
            if (name.startsWith("kafka.") && !name.startsWith("kafka.devservices")) {
                config.getOptionalValue(name, String.class).ifPresent(v -> props.put(name.substring(6), v));
            }
        }
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 2);
        props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) Duration.ofSeconds(5).toMillis());
        props.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Duration.ofSeconds(15).toMillis());
        props.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Duration.ofSeconds(5).toMillis());
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "harmonia");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }

    private KafkaProducer<String, byte[]> producer() {
        KafkaProducer<String, byte[]> p = producer;
        if (p == null) {
            synchronized (this) {
                if (producer == null) {
                    producer = new KafkaProducer<>(settings(ConfigProvider.getConfig()));
                }
                p = producer;
            }
        }
        return p;
    }

    /** Sends one record; the Uni completes when Kafka has acknowledged it (acks=all), or fails. */
    public Uni<Void> send(ProducerRecord<String, byte[]> record) {
        return sendAll(List.of(record));
    }

    /**
     * Sends records in order (one hand-over to the sending thread for all of them); the Uni completes when Kafka has
     * acknowledged every one (acks=all), or fails with the first failure.
     */
    public Uni<Void> sendAll(List<ProducerRecord<String, byte[]>> records) {
        if (records.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().<Void>emitter(em -> {
            AtomicInteger pending = new AtomicInteger(records.size());
            AtomicBoolean failed = new AtomicBoolean();
            KafkaProducer<String, byte[]> p = producer();
            for (ProducerRecord<String, byte[]> record : records) {
                p.send(record, (meta, err) -> {
                    if (err != null) {
                        if (failed.compareAndSet(false, true)) {
                            em.fail(err);
                        }
                    } else if (pending.decrementAndGet() == 0 && !failed.get()) {
                        em.complete(null);
                    }
                });
                if (failed.get()) {
                    return;
                }
            }
        }).runSubscriptionOn(sender);
    }

    @PreDestroy
    void close() {
        sender.shutdownNow();
        KafkaProducer<String, byte[]> p = producer;
        if (p != null) {
            p.close(Duration.ofSeconds(2));
        }
    }
}
