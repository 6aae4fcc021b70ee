package io.harmonia.messaging;

import io.harmonia.config.KafkaConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * How far Kafka publication is behind the event store, measured from the relay's durable cursor (so every replica
 * sees the same lag, whichever one publishes). Exposed as metrics and readiness details, and used for flow control.
 */
@ApplicationScoped
public class PublicationLag {
    private static final Logger LOG = Logger.getLogger(PublicationLag.class);
    private static final String SQL = "select count(*), coalesce(extract(epoch from now() - min(occurred_at)), 0)"
            + " from (select e.occurred_at from events e, relay_cursor c where c.name = 'kafka'"
            + " and (e.tx_id, e.global_position) > (c.tx_id, c.global_position) limit 10000000) unpublished";

    private final Pool pool;
    private final Vertx vertx;
    private final KafkaConfig config;
    private volatile long events;
    private volatile double seconds;

    public PublicationLag(Pool pool, Vertx vertx, KafkaConfig config, MeterRegistry metrics) {
        this.pool = pool;
        this.vertx = vertx;
        this.config = config;
        Gauge.builder("harmonia.relay.lag.events", this, l -> l.events)
                .description("events not yet published to Kafka").register(metrics);
        Gauge.builder("harmonia.relay.lag.seconds", this, l -> l.seconds)
                .description("age of the oldest event not yet published to Kafka").register(metrics);
    }

    void start(@Observes StartupEvent ignored) {
        if (config.relay().enabled()) {
            vertx.setPeriodic(config.relay().lagInterval().toMillis(), id -> measure());
        }
    }

    void measure() {
        pool.query(SQL).execute().subscribe().with(rows -> {
            var r = rows.iterator().next();
            events = r.getLong(0);
            seconds = r.getNumeric(1).doubleValue();
        }, err -> LOG.debugf("could not measure the publication lag: %s", err.getMessage()));
    }

    public long events() {
        return events;
    }

    public double seconds() {
        return seconds;
    }

    public long limit() {
        return config.relay().maxLagEvents();
    }

    /** True when new executions should be refused: publication is too far behind. */
    public boolean overBound() {
        return config.relay().enabled() && events > config.relay().maxLagEvents();
    }
}
