package io.harmonia.messaging;

import io.harmonia.config.KafkaConfig;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionStarted;
import io.harmonia.eventstore.AppendSignal;
import io.harmonia.eventstore.ExecutionLookups;
import io.harmonia.eventstore.FeedLoop;
import io.harmonia.eventstore.LeaderLock;
import io.harmonia.eventstore.PgEventStore;
import io.harmonia.eventstore.RecordedEvent;
import io.harmonia.eventstore.RelayCursor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * The outbox relay: follows the event store's global feed from a durable cursor and publishes every event to Kafka
 * as a CloudEvent, keyed by execution id. The cursor moves only after Kafka acknowledged the whole batch, so
 * nothing is lost; a failed batch is sent again from the cursor, so a consumer may see an event twice (at-least-once;
 * deduplicate by the {@code ce_id} header). Executions never wait for it.
 *
 * <p>With several replicas exactly one publishes: the one holding a Postgres advisory lock on a dedicated
 * connection. When that connection (or its process) dies the lock is released and another replica takes over.
 */
@ApplicationScoped
public class EventRelay {
    private static final Logger LOG = Logger.getLogger(EventRelay.class);
    static final long LOCK_KEY = 0x4841524d4f4e4941L; // "HARMONIA"
    private static final String STARTED = ExecutionStarted.class.getSimpleName();
    /** Records above this size (the producer's default batch.size) are sent on their own, see sendInSegments. */
    static final int ISOLATE_BYTES = 16_384;
    private static final Throwable NOT_SENT = KafkaPublisher.NOT_SENT;

    private final RelayCursor cursor;
    private final ExecutionLookups lookups;
    private final PgEventStore store;
    private final KafkaPublisher publisher;
    private final KafkaConfig config;
    private final AppendSignal appends;
    private final Vertx vertx;
    private final Counter published;
    private final ClaimChecks claimChecks;
    /** Events whose records Kafka refused (by CloudEvent id), with the reason: sent as reference records. */
    private final Map<String, String> refused = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, String> workflowOfExecution = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > 20_000;
        }
    };

    private volatile boolean stopped;
    private final LeaderLock lock;
    private volatile FeedLoop loop;

    public EventRelay(Pool pool, PgEventStore store, ExecutionLookups lookups, KafkaPublisher publisher,
            KafkaConfig config, AppendSignal appends, Vertx vertx, MeterRegistry metrics, ClaimChecks claimChecks) {
        this.claimChecks = claimChecks;
        this.cursor = cursor(pool);
        this.lookups = lookups;
        this.store = store;
        this.publisher = publisher;
        this.config = config;
        this.appends = appends;
        this.vertx = vertx;
        this.published = Counter.builder("harmonia.relay.published").description("events published to Kafka")
                .register(metrics);
        this.lock = new LeaderLock(pool, vertx, LOCK_KEY, "publishes events to Kafka", this::acquired,
                this::lostLock);
    }

    /** The relay's durable cursor: the {@code kafka} row of {@code relay_cursor}. */
    static RelayCursor cursor(Pool pool) {
        return new RelayCursor(pool, "kafka");
    }

    void start(@Observes StartupEvent ignored) {
        if (!config.enabled()) {
            LOG.info("Kafka is disabled (harmonia.kafka.enabled=false): events are not published, they stay in"
                    + " Postgres and are served by the API");
            return;
        }
        if (!config.relay().enabled()) {
            LOG.info("Kafka publication is disabled (harmonia.kafka.relay.enabled=false)");
            return;
        }
        int maxRequestSize = KafkaPublisher.maxRequestSize(ConfigProvider.getConfig());
        if (config.relay().maxRecordBytes() > maxRequestSize) {
            throw new IllegalStateException("harmonia.kafka.relay.max-record-bytes (" + config.relay().maxRecordBytes()
                    + ") must not exceed the producer's max.request.size (kafka.max.request.size, " + maxRequestSize
                    + "): larger records would be refused by the producer");
        }
        appends.subscribe(this::nudge);
        lock.start();
    }

    void stop(@Observes ShutdownEvent ignored) {
        stopped = true;
        lostLock();
        lock.stop();
    }

    /** Whether this replica is the one publishing. */
    public boolean leader() {
        return lock.held();
    }

    private void acquired() {
        if (stopped) {
            return;
        }
        FeedLoop l = new FeedLoop(store, vertx, cursor, this::publish, new FeedLoop.Settings("Kafka publication",
                config.relay().batchSize(), config.relay().idlePoll(), Duration.ofSeconds(1)));
        loop = l;
        l.ready().subscribe().with(from -> LOG.infof("publishing to Kafka topic %s from %s", config.eventsTopic(),
                from));
        l.start();
    }

    private void lostLock() {
        FeedLoop l = loop;
        loop = null;
        if (l != null) {
            l.stop();
        }
    }

    /** Wakes an idle relay: new events were appended. */
    void nudge() {
        FeedLoop l = loop;
        if (l != null) {
            l.wake();
        }
    }

    /**
     * Publishes a page; when Kafka refused some records for what they are, the page goes again at once with
     * reference records in their place ({@link RecordsRefused}). The loop moves the cursor after it succeeded.
     */
    private Uni<Void> publish(List<RecordedEvent> events) {
        return Uni.createFrom().deferred(() -> publishOnce(events))
                .onFailure(RecordsRefused.class).retry().indefinitely()
                .replaceWithVoid();
    }

    private Uni<Integer> publishOnce(List<RecordedEvent> events) {
        return workflowIds(events).chain(() -> {
            List<ProducerRecord<String, byte[]>> records = new ArrayList<>(events.size());
            List<String> references = new ArrayList<>(events.size()); // the claim-check reason, or null
            int[] sizes = new int[events.size()]; // each record's upper bound, computed once
            for (RecordedEvent e : events) {
                String reason = refused.isEmpty() ? null : refused.get(ceId(e));
                ProducerRecord<String, byte[]> record = null;
                int size = e.payload().length();
                if (reason == null) {
                    try {
                        record = CloudEventRecords.of(config.eventsTopic(), config.source(), e, workflowIdOf(e));
                        size = CloudEventRecords.sizeUpperBound(record);
                        if (size > config.relay().maxRecordBytes()) {
                            reason = ClaimChecks.TOO_LARGE;
                        }
                    } catch (RuntimeException err) { // a record that cannot even be built must not stop the relay
                        LOG.errorf(err, "could not build the Kafka record of event %s (global position %d)",
                                ceId(e), e.globalPosition());
                        reason = ClaimChecks.ERROR;
                    }
                }
                if (reason != null) {
                    record = CloudEventRecords.reference(config.eventsTopic(), config.source(), e, workflowIdOf(e),
                            reason, size);
                    sizes[records.size()] = CloudEventRecords.sizeUpperBound(record);
                } else {
                    sizes[records.size()] = size;
                }
                records.add(record);
                references.add(reason);
            }
            return sendInSegments(records, sizes, 0, new ArrayList<>(records.size()))
                    .chain(errors -> refusals(events, references, errors))
                    .invoke(() -> {
                        published.increment(events.size());
                        for (int i = 0; i < events.size(); i++) {
                            String reason = references.get(i);
                            if (reason != null) {
                                refused.remove(ceId(events.get(i)));
                                claimChecks.published(events.get(i), reason, records.get(i));
                            }
                        }
                    })
                    .replaceWith(events.size());
        });
    }

    /**
     * Sends the records in order, each record larger than {@link #ISOLATE_BYTES} on its own after the ones before it
     * were acknowledged, and stops at the first segment with an error (the rest are reported {@link #NOT_SENT}). So
     * when the broker refuses a large record, no later event of its execution is published before the reference
     * record that replaces it.
     */
    private Uni<List<Throwable>> sendInSegments(List<ProducerRecord<String, byte[]>> records, int[] sizes, int from,
            List<Throwable> errors) {
        if (from >= records.size()) {
            return Uni.createFrom().item(errors);
        }
        int to = from;
        if (sizes[from] > ISOLATE_BYTES) {
            to = from + 1;
        } else {
            while (to < records.size() && sizes[to] <= ISOLATE_BYTES) {
                to++;
            }
        }
        int end = to;
        return publisher.sendEach(records.subList(from, end)).chain(segment -> {
            errors.addAll(segment);
            if (segment.stream().anyMatch(e -> e != null)) {
                while (errors.size() < records.size()) {
                    errors.add(NOT_SENT);
                }
                return Uni.createFrom().item(errors);
            }
            return sendInSegments(records, sizes, end, errors);
        });
    }

    /**
     * Looks at what Kafka answered for each record. All acknowledged: done. A record refused for what it is (too
     * large, invalid, not serializable) is remembered, to be sent as a reference record, and the batch is sent again
     * at once ({@link RecordsRefused}). Any other error (broker unreachable, not authorized, ...) fails the round,
     * which is retried from the cursor.
     */
    private Uni<Void> refusals(List<RecordedEvent> events, List<String> references, List<Throwable> errors) {
        Throwable other = null;
        List<String> poisoned = new ArrayList<>();
        for (int i = 0; i < errors.size(); i++) {
            Throwable err = errors.get(i);
            if (err == null || err == NOT_SENT) {
                continue;
            }
            if (references.get(i) == null && ClaimChecks.refusesThisRecord(err)) {
                String id = ceId(events.get(i));
                refused.put(id, ClaimChecks.REFUSED);
                poisoned.add(id);
                LOG.warnf("Kafka refused the record of event %s (global position %d): %s; it is sent as a"
                        + " reference record instead (%s)", id, events.get(i).globalPosition(), err.toString(),
                        CloudEventRecords.href(events.get(i)));
            } else if (other == null) {
                other = err;
            }
        }
        if (other != null) {
            return Uni.createFrom().failure(other);
        }
        if (!poisoned.isEmpty()) {
            return Uni.createFrom().failure(new RecordsRefused(poisoned));
        }
        return Uni.createFrom().voidItem();
    }

    private static String ceId(RecordedEvent e) {
        return e.streamId() + "/" + e.streamVersion();
    }

    private String workflowIdOf(RecordedEvent e) {
        if (e.streamId().startsWith("execution-")) {
            return workflowOf(CloudEventRecords.subject(e.streamId()));
        }
        // a workflow's stream is named by its id; a schedule's (or a trigger's) is not a workflow's
        return e.streamId().startsWith("workflow-") ? CloudEventRecords.subject(e.streamId()) : null;
    }

    /** Some records of a batch were refused for what they are; the batch goes again with reference records. */
    static final class RecordsRefused extends RuntimeException {
        RecordsRefused(List<String> eventIds) {
            super("Kafka refused the records of events " + eventIds, null, false, false);
        }
    }

    private synchronized String workflowOf(String executionId) {
        return workflowOfExecution.get(executionId);
    }

    /** The decoded event, or null when it cannot be decoded (then the workflow id is looked up in the table). */
    private static Object startedEvent(RecordedEvent e) {
        try {
            return e.event();
        } catch (RuntimeException err) {
            LOG.debugf("could not decode event %s: %s", ceId(e), err.getMessage());
            return null;
        }
    }

    private Uni<Void> workflowIds(List<RecordedEvent> events) {
        List<UUID> missing = new ArrayList<>();
        synchronized (this) {
            for (RecordedEvent e : events) {
                if (STARTED.equals(e.type()) && startedEvent(e) instanceof ExecutionStarted s) { // decode only these
                    workflowOfExecution.put(s.executionId(), s.workflowId());
                } else if (e.streamId().startsWith("execution-")) {
                    String id = CloudEventRecords.subject(e.streamId());
                    if (!workflowOfExecution.containsKey(id)) {
                        missing.add(UUID.fromString(id));
                    }
                }
            }
        }
        if (missing.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return lookups.workflowIds(missing)
                .invoke(found -> {
                    synchronized (this) {
                        workflowOfExecution.putAll(found);
                    }
                })
                .replaceWithVoid();
    }
}
