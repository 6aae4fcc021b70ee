package io.harmonia.trigger;

import io.harmonia.application.TriggerFires;
import io.harmonia.application.TriggerService;
import io.harmonia.config.KafkaConfig;
import io.harmonia.config.TriggerConfig;
import io.harmonia.messaging.KafkaPublisher;
import io.harmonia.messaging.PublicationLag;
import io.harmonia.projection.triggers.TriggerReadModel;
import io.harmonia.projection.triggers.TriggerReadModel.TriggerRow;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Runs one {@link TriggerConsumer} per active Kafka trigger on every replica; the consumer group of each trigger
 * shares the topic's partitions among the replicas. Every {@code harmonia.triggers.refresh-interval} the triggers
 * table is read again (on a thread of its own): a created or resumed trigger gets a consumer, a changed one gets a new
 * consumer, a paused or deleted one loses its consumer, wherever the change was made.
 */
@ApplicationScoped
public class KafkaTriggers {
    private static final Logger LOG = Logger.getLogger(KafkaTriggers.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private final TriggerReadModel readModel;
    private final TriggerService triggers;
    private final TriggerFires fires;
    private final PublicationLag lag;
    private final TriggerConfig config;
    private final KafkaConfig kafka;
    private final Map<String, TriggerConsumer> running = new HashMap<>();
    private ScheduledExecutorService refresher;

    public KafkaTriggers(TriggerReadModel readModel, TriggerService triggers, TriggerFires fires,
            PublicationLag lag, TriggerConfig config, KafkaConfig kafka) {
        this.readModel = readModel;
        this.triggers = triggers;
        this.fires = fires;
        this.lag = lag;
        this.config = config;
        this.kafka = kafka;
    }

    void start(@Observes StartupEvent ignored) {
        if (!config.enabled() || !kafka.enabled()) {
            LOG.info("Kafka triggers are off on this replica (harmonia.triggers.enabled or harmonia.kafka.enabled is"
                    + " false): Kafka triggers can be managed but no records are consumed here");
            return;
        }
        refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "harmonia-triggers-refresh");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(50, config.refreshInterval().toMillis());
        refresher.scheduleWithFixedDelay(this::refresh, 0, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (refresher != null) {
            refresher.shutdownNow();
            try {
                refresher.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (running) {
            running.values().forEach(c -> c.stop(STOP_WAIT));
            running.clear();
        }
    }

    /** How many trigger consumers run on this replica. */
    public int consumers() {
        synchronized (running) {
            return running.size();
        }
    }

    private void refresh() {
        List<TriggerRow> active;
        try {
            active = readModel.activeKafkaTriggers().await().atMost(Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            LOG.debugf("triggers not refreshed (%s); trying again in %s", e.getMessage(), config.refreshInterval());
            return;
        }
        synchronized (running) {
            Map<String, TriggerRow> wanted = new HashMap<>();
            active.forEach(r -> wanted.put(r.id(), r));
            running.entrySet().removeIf(e -> {
                TriggerRow row = wanted.get(e.getKey());
                boolean keep = row != null && row.version() == e.getValue().version() && e.getValue().alive();
                if (!keep) {
                    e.getValue().stop(STOP_WAIT);
                    LOG.infof("trigger %s: consumer stopped (%s)", e.getKey(), row == null ? "paused or deleted"
                            : row.version() != e.getValue().version() ? "changed" : "its thread ended");
                }
                return !keep;
            });
            for (TriggerRow row : active) {
                if (running.containsKey(row.id())) {
                    continue;
                }
                try {
                    TriggerConsumer c = new TriggerConsumer(new TriggerFires.Firing(row.id(),
                            triggers.spec(row.spec()), row.createdAt()), row.version(),
                            KafkaPublisher.connection(ConfigProvider.getConfig()), fires, readModel, lag, config);
                    running.put(row.id(), c);
                    c.start();
                } catch (RuntimeException e) {
                    LOG.errorf(e, "trigger %s: its consumer could not start", row.id());
                }
            }
        }
    }
}
