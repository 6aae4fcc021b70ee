package io.harmonia.messaging;

import io.smallrye.mutiny.Uni;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
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

    /** Reported by {@link #sendEach} for a record not handed to the producer because an earlier one failed. */
    public static final Throwable NOT_SENT = new IllegalStateException("not sent: an earlier record failed", null) {
        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    };

    /** Kafka's own default of {@code max.request.size}, set explicitly when {@code kafka.max.request.size} is not. */
    public static final int DEFAULT_MAX_REQUEST_SIZE = 1_048_576;

    /** The producer's {@code max.request.size}: the largest record (with its headers) it sends. */
    public static int maxRequestSize(Config config) {
        return Integer.parseInt(String.valueOf(settings(config).get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG)).trim());
    }

    /** The producer settings: every {@code kafka.*} property, then Harmonia's delivery guarantees. */
    static Map<String, Object> settings(Config config) {
        Map<String, Object> props = connection(config);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 2);
        props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) Duration.ofSeconds(5).toMillis());
        props.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Duration.ofSeconds(15).toMillis());
        props.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Duration.ofSeconds(5).toMillis());
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "harmonia");
        // explicit, so that it and harmonia.kafka.relay.max-record-bytes are read (and documented) together
        props.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(DEFAULT_MAX_REQUEST_SIZE));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }

    /** Every {@code kafka.*} property (bootstrap servers, security, ...) without the prefix. */
    public static Map<String, Object> connection(Config config) {
        Map<String, Object> props = new HashMap<>();
        for (String name : config.getPropertyNames()) {
            if (name.startsWith("kafka.") && !name.startsWith("kafka.devservices")) {
                config.getOptionalValue(name, String.class).ifPresent(v -> props.put(name.substring(6), v));
            }
        }
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
        return sendEach(records).chain(errors -> {
            for (Throwable err : errors) {
                if (err != null && err != NOT_SENT) {
                    return Uni.createFrom().failure(err);
                }
            }
            return Uni.createFrom().voidItem();
        });
    }

    /**
     * Sends records in order (one hand-over to the sending thread for all of them) and reports the outcome of each:
     * the Uni completes when Kafka has answered for every record, with a list as long as {@code records} holding
     * {@code null} for an acknowledged record and the error for a refused one (an error thrown by {@code send}
     * itself, such as a serialization failure, is reported for its record too). Once a record has failed, the
     * records after it are not handed to the producer (they are reported as {@link #NOT_SENT}), so that a later
     * record never overtakes a failed one. It fails only when the producer cannot be created.
     */
    public Uni<List<Throwable>> sendEach(List<ProducerRecord<String, byte[]>> records) {
        if (records.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return Uni.createFrom().<List<Throwable>>emitter(em -> {
            AtomicInteger pending = new AtomicInteger(records.size());
            AtomicReferenceArray<Throwable> errors = new AtomicReferenceArray<>(records.size());
            KafkaProducer<String, byte[]> p = producer();
            Runnable done = () -> {
                if (pending.decrementAndGet() == 0) {
                    List<Throwable> out = new ArrayList<>(records.size());
                    for (int i = 0; i < records.size(); i++) {
                        out.add(errors.get(i));
                    }
                    em.complete(out);
                }
            };
            AtomicBoolean failed = new AtomicBoolean();
            for (int i = 0; i < records.size(); i++) {
                int index = i;
                if (failed.get()) { // keep the order: nothing after a failed record goes out in this call
                    errors.set(index, NOT_SENT);
                    done.run();
                    continue;
                }
                try {
                    p.send(records.get(i), (meta, err) -> {
                        if (err != null) {
                            failed.set(true);
                        }
                        errors.set(index, err);
                        done.run();
                    });
                } catch (RuntimeException err) {
                    failed.set(true);
                    errors.set(index, err);
                    done.run();
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
