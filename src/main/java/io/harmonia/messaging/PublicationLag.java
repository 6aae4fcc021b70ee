package io.harmonia.messaging;

import io.harmonia.config.KafkaConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;
import io.harmonia.eventstore.RelayCursor;
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
    private final RelayCursor cursor;
    private final Vertx vertx;
    private final KafkaConfig config;
    private volatile long events;
    private volatile double seconds;
    private volatile double sinceProgress;

    public PublicationLag(Pool pool, Vertx vertx, KafkaConfig config, MeterRegistry metrics) {
        this.cursor = EventRelay.cursor(pool);
        this.vertx = vertx;
        this.config = config;
        Gauge.builder("harmonia.relay.lag.events", this, l -> l.events)
                .description("events not yet published to Kafka").register(metrics);
        Gauge.builder("harmonia.relay.lag.seconds", this, l -> l.seconds)
                .description("age of the oldest event not yet published to Kafka").register(metrics);
    }

    void start(@Observes StartupEvent ignored) {
        if (config.enabled() && config.relay().enabled()) {
            vertx.setPeriodic(config.relay().lagInterval().toMillis(), id -> measure());
        }
    }

    void measure() {
        cursor.lag().subscribe().with(lag -> {
            events = lag.events();
            seconds = lag.seconds();
            sinceProgress = lag.secondsSinceProgress();
        }, err -> LOG.debugf("could not measure the publication lag: %s", err.getMessage()));
    }

    public long events() {
        return events;
    }

    public double seconds() {
        return seconds;
    }

    /** Seconds since the relay's cursor last moved (any replica). */
    public double secondsSinceProgress() {
        return sinceProgress;
    }

    /**
     * True when the relay cannot make progress: events have been waiting longer than
     * {@code harmonia.kafka.relay.stall-timeout} and the cursor has not moved for that long either.
     */
    public boolean stalled() {
        long limit = config.relay().stallTimeout().toMillis();
        return config.enabled() && config.relay().enabled() && limit > 0 && events > 0
                && seconds * 1000 > limit && sinceProgress * 1000 > limit;
    }

    public long limit() {
        return config.relay().maxLagEvents();
    }

    /** True when new executions should be refused: publication is too far behind. */
    public boolean overBound() {
        return config.enabled() && config.relay().enabled() && events > config.relay().maxLagEvents();
    }
}
