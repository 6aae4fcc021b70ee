package io.harmonia.messaging;

import io.harmonia.eventstore.IdleWait;
import io.harmonia.config.KafkaConfig;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionStarted;
import io.harmonia.engine.ExecutionEngine;
import io.harmonia.eventstore.CursorWrites;
import io.harmonia.eventstore.FeedPosition;
import io.harmonia.eventstore.LeaderLock;
import io.harmonia.eventstore.PgEventStore;
import io.harmonia.eventstore.RecordedEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
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

    private final Pool pool;
    private final PgEventStore store;
    private final KafkaPublisher publisher;
    private final KafkaConfig config;
    private final ExecutionEngine engine;
    private final Vertx vertx;
    private final Counter published;
    private final Map<String, String> workflowOfExecution = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > 20_000;
        }
    };

    private volatile boolean stopped;
    private final LeaderLock lock;
    private FeedPosition cursor;
    private final IdleWait idleWait;
    private boolean failing;

    public EventRelay(Pool pool, PgEventStore store, KafkaPublisher publisher, KafkaConfig config,
            ExecutionEngine engine, Vertx vertx, MeterRegistry metrics) {
        this.pool = pool;
        this.store = store;
        this.publisher = publisher;
        this.config = config;
        this.engine = engine;
        this.vertx = vertx;
        this.idleWait = new IdleWait(vertx, this::round);
        this.published = Counter.builder("harmonia.relay.published").description("events published to Kafka")
                .register(metrics);
        this.lock = new LeaderLock(pool, vertx, LOCK_KEY, "publishes events to Kafka", this::acquired, () -> { });
    }

    void start(@Observes StartupEvent ignored) {
        if (!config.relay().enabled()) {
            LOG.info("Kafka publication is disabled (harmonia.kafka.relay.enabled=false)");
            return;
        }
        engine.onAppend(this::nudge);
        lock.start();
    }

    void stop(@Observes ShutdownEvent ignored) {
        stopped = true;
        lock.stop();
    }

    /** Whether this replica is the one publishing. */
    public boolean leader() {
        return lock.held();
    }

    private void acquired() {
        loadCursor().subscribe().with(ok -> {
            LOG.infof("publishing to Kafka topic %s from %s", config.eventsTopic(), cursor);
            round();
        }, err -> {
            LOG.warnf("could not read the relay cursor, retrying: %s", err.getMessage());
            vertx.setTimer(1000, id -> acquired());
        });
    }

    private Uni<Void> loadCursor() {
        return pool.query("select tx_id::text, global_position from relay_cursor where name = 'kafka'").execute()
                .invoke(rows -> {
                    var r = rows.iterator().next();
                    cursor = new FeedPosition(r.getString(0), r.getLong(1));
                })
                .replaceWithVoid();
    }

    /** Wakes an idle relay: new events were appended. */
    void nudge() {
        if (!lock.held()) {
            return;
        }
        idleWait.wake();
    }

    private void round() {
        if (stopped || !lock.held()) {
            return;
        }
        store.readFeed(cursor, config.relay().batchSize())
                .chain(events -> events.isEmpty() ? Uni.createFrom().item(0) : publish(events))
                .subscribe().with(count -> {
                    if (failing) {
                        LOG.info("Kafka publication resumed");
                        failing = false;
                    }
                    if (count == config.relay().batchSize()) {
                        vertx.runOnContext(this::round); // a full page: there may be more
                    } else {
                        idleWait.waitFor(config.relay().idlePoll().toMillis());
                    }
                }, err -> {
                    if (!failing) {
                        LOG.warnf("Kafka publication is failing, will retry from %s: %s", cursor, err.toString());
                        failing = true;
                    }
                    vertx.setTimer(1000, id -> round());
                });
    }


    private Uni<Integer> publish(List<RecordedEvent> events) {
        return workflowIds(events).chain(() -> {
            List<ProducerRecord<String, byte[]>> records = new ArrayList<>(events.size());
            for (RecordedEvent e : events) {
                String workflowId = e.streamId().startsWith("execution-")
                        ? workflowOf(CloudEventRecords.subject(e.streamId()))
                        : CloudEventRecords.subject(e.streamId());
                records.add(CloudEventRecords.of(config.eventsTopic(), config.source(), e, workflowId));
            }
            RecordedEvent last = events.get(events.size() - 1);
            FeedPosition next = new FeedPosition(last.txId(), last.globalPosition());
            return publisher.sendAll(records)
                    .chain(() -> CursorWrites.update(pool, "update relay_cursor set tx_id = $1::text::xid8,"
                            + " global_position = $2, updated_at = now() where name = 'kafka'",
                            Tuple.of(next.txId(), next.globalPosition())))
                    .invoke(() -> {
                        cursor = next;
                        published.increment(events.size());
                    })
                    .replaceWith(events.size());
        });
    }

    private synchronized String workflowOf(String executionId) {
        return workflowOfExecution.get(executionId);
    }

    private Uni<Void> workflowIds(List<RecordedEvent> events) {
        List<UUID> missing = new ArrayList<>();
        synchronized (this) {
            for (RecordedEvent e : events) {
                if (STARTED.equals(e.type()) && e.event() instanceof ExecutionStarted s) { // decode only these
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
        return pool.preparedQuery("select id, workflow_id from executions where id = any($1)")
                .execute(Tuple.of(missing.toArray(new UUID[0])))
                .invoke(rows -> {
                    synchronized (this) {
                        rows.forEach(r -> workflowOfExecution.put(r.getUUID(0).toString(), r.getUUID(1).toString()));
                    }
                })
                .replaceWithVoid();
    }
}
