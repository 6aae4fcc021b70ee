package io.harmonia.trigger;

import io.harmonia.application.TriggerFires;
import io.harmonia.application.TriggerFires.Firing;
import io.harmonia.application.TriggerFires.Outcome;
import io.harmonia.config.TriggerConfig;
import io.harmonia.domain.trigger.TriggerFiring;
import io.harmonia.domain.trigger.TriggerSpec.KafkaSource;
import io.harmonia.messaging.PublicationLag;
import io.harmonia.projection.triggers.TriggerReadModel;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

/**
 * One Kafka trigger's consumer, on a thread of its own (never the event loop). Per poll: every record is read,
 * filtered and fired (starts run concurrently), the poll waits until every start is durable, and only then are the
 * offsets committed. A record that cannot be read or mapped, or that the application refuses (unknown workflow,
 * invalid input, unknown or finished execution for a signal), is counted as failed, logged with
 * topic/partition/offset, and skipped. Any other failure (Postgres down, a commit refused while the broker is away)
 * rewinds the batch to its first offsets and tries again after a growing pause: records already started are found
 * again by their chosen ids, so nothing starts twice. The Kafka client reconnects by itself.
 */
final class TriggerConsumer implements Runnable {
    private static final Logger LOG = Logger.getLogger(TriggerConsumer.class);
    /** Starts in flight at once per batch. */
    private static final int CONCURRENCY = 64;

    private final Firing firing;
    private final int version;
    private final KafkaSource source;
    private final Map<String, Object> settings;
    private final TriggerFires fires;
    private final TriggerReadModel readModel;
    private final PublicationLag lag;
    private final TriggerConfig config;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile KafkaConsumer<byte[], byte[]> consumer;

    TriggerConsumer(Firing firing, int version, Map<String, Object> connection, TriggerFires fires,
            TriggerReadModel readModel, PublicationLag lag, TriggerConfig config) {
        this.firing = firing;
        this.version = version;
        this.source = (KafkaSource) firing.spec().source();
        this.fires = fires;
        this.readModel = readModel;
        this.lag = lag;
        this.config = config;
        Map<String, Object> props = new HashMap<>(connection);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, source.groupOf(firing.triggerId()));
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "harmonia-trigger-" + firing.triggerId());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxRecordsPerPoll());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        this.settings = props;
        this.thread = new Thread(this, "harmonia-trigger-" + firing.triggerId());
        this.thread.setDaemon(true);
    }

    int version() {
        return version;
    }

    void start() {
        thread.start();
    }

    /** Stops the consumer and waits (up to {@code within}) for its thread to leave the group. */
    void stop(Duration within) {
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            thread.join(within.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run() {
        long backoff = config.retryInitialDelay().toMillis();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(settings)) {
            consumer = c;
            if (!running) {
                return;
            }
            c.subscribe(List.of(source.topic()));
            LOG.infof("trigger %s consumes topic %s as group %s", firing.triggerId(), source.topic(),
                    settings.get(ConsumerConfig.GROUP_ID_CONFIG));
            while (running) {
                flowControl(c);
                ConsumerRecords<byte[], byte[]> records = c.poll(config.pollTimeout());
                if (records.isEmpty()) {
                    continue;
                }
                try {
                    Counts counts = fireAll(records);
                    c.commitSync(nextOffsets(records), config.batchTimeout());
                    count(counts);
                    backoff = config.retryInitialDelay().toMillis();
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    LOG.warnf("trigger %s: a batch of %d records from topic %s failed (%s); it is tried again in"
                            + " %d ms", firing.triggerId(), records.count(), source.topic(), describe(e), backoff);
                    rewind(c, records);
                    pause(backoff);
                    backoff = Math.min(backoff * 2, config.retryMaxDelay().toMillis());
                }
            }
        } catch (WakeupException e) {
            // stopping
        } catch (RuntimeException e) {
            LOG.errorf(e, "trigger %s: the consumer of topic %s stopped; it starts again at the next refresh",
                    firing.triggerId(), source.topic());
        } finally {
            consumer = null;
        }
    }

    boolean alive() {
        return thread.isAlive();
    }

    /** While publication to Kafka lags past its bound, stop taking records (as new REST starts get 429). */
    private void flowControl(KafkaConsumer<byte[], byte[]> c) {
        if (lag.overBound()) {
            c.pause(c.assignment());
        } else if (!c.paused().isEmpty()) {
            c.resume(c.paused());
        }
    }

    private record Counts(long fired, long ignored, long failed, Instant lastFiredAt) {}

    /** Fires every record of a poll; completes when all starts are durable, fails on a failure worth retrying. */
    private Counts fireAll(ConsumerRecords<byte[], byte[]> records) {
        AtomicLong fired = new AtomicLong();
        AtomicLong ignored = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        Multi.createFrom().iterable(records)
                .onItem().transformToUni(r -> fireOne(r).invoke(outcome -> {
                    if (outcome == null) {
                        failed.incrementAndGet();
                    } else if (outcome.fired()) {
                        fired.incrementAndGet();
                    } else {
                        ignored.incrementAndGet();
                    }
                })).merge(CONCURRENCY)
                .collect().last()
                .await().atMost(config.batchTimeout());
        return new Counts(fired.get(), ignored.get(), failed.get(), fired.get() > 0 ? Instant.now() : null);
    }

    /** One record's fire: its outcome, or null when it was skipped (counted as failed). */
    private Uni<Outcome> fireOne(ConsumerRecord<byte[], byte[]> r) {
        TriggerFiring.Fire fire;
        try {
            KafkaTriggerEvents.Read read = KafkaTriggerEvents.read(r, source.format());
            fire = fires.plan(firing, read.event(), read.defaultKey(), read.event().get("value"));
        } catch (KafkaTriggerEvents.Unreadable | TriggerFiring.MappingFailed e) {
            skipped(r, e);
            return Uni.createFrom().nullItem();
        }
        return fires.apply(firing, fire)
                .onFailure(TriggerFires::permanent).recoverWithUni(e -> {
                    skipped(r, e);
                    return Uni.createFrom().nullItem();
                });
    }

    private void skipped(ConsumerRecord<byte[], byte[]> r, Throwable e) {
        LOG.warnf("trigger %s skips the record at %s-%d@%d: %s", firing.triggerId(), r.topic(), r.partition(),
                r.offset(), e.getMessage());
    }

    private void count(Counts c) {
        readModel.count(firing.triggerId(), c.fired(), c.ignored(), c.failed(), c.lastFiredAt())
                .onFailure().invoke(e -> LOG.debugf("trigger %s: counters not updated: %s", firing.triggerId(),
                        e.getMessage()))
                .onFailure().recoverWithNull()
                .subscribe().with(ignored -> { });
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
            offsets.put(tp, new OffsetAndMetadata(list.get(list.size() - 1).offset() + 1));
        }
        return offsets;
    }

    /** Seeks every partition of the batch that is still assigned back to the batch's first offset. */
    private static void rewind(KafkaConsumer<byte[], byte[]> c, ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            if (c.assignment().contains(tp)) {
                c.seek(tp, records.records(tp).get(0).offset());
            }
        }
    }

    private void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? e.toString() : e + " caused by " + root;
    }
}
