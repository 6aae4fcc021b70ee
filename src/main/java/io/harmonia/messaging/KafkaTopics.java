package io.harmonia.messaging;

import io.harmonia.config.KafkaConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Creates the topics Harmonia uses at start ({@code harmonia.kafka.create-topics}, on by default): the events topic,
 * one topic per worker component, the task-results and signals topics and their dead-letter topics. Existing topics are left as they
 * are. Runs before the messaging channels start, so that a first start does not log {@code UNKNOWN_TOPIC_OR_PARTITION}
 * while the consumer waits for a topic to appear. A broker that cannot be reached (or refuses, e.g. not authorized)
 * is logged once at WARN and start-up goes on: Kafka down is not an outage.
 */
@ApplicationScoped
public class KafkaTopics {
    private static final Logger LOG = Logger.getLogger(KafkaTopics.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final KafkaConfig config;

    public KafkaTopics(KafkaConfig config) {
        this.config = config;
    }

    void create(@Observes @Priority(-10) StartupEvent ignored) {
        if (!config.enabled() || !config.createTopics()) {
            return;
        }
        Config mp = ConfigProvider.getConfig();
        Set<String> names = names(config, mp);
        Map<String, Object> settings = KafkaPublisher.connection(mp);
        settings.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "harmonia-admin");
        settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        settings.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        List<NewTopic> topics = new ArrayList<>();
        Optional<Short> replication = config.topicReplicationFactor() < 0 ? Optional.empty()
                : Optional.of(config.topicReplicationFactor());
        for (String name : names) {
            topics.add(new NewTopic(name, Optional.of(config.topicPartitions()), replication));
        }
        try (Admin admin = Admin.create(settings)) {
            var result = admin.createTopics(topics, new CreateTopicsOptions().timeoutMs((int) TIMEOUT.toMillis()));
            List<String> created = new ArrayList<>();
            for (var e : result.values().entrySet()) {
                try {
                    e.getValue().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    created.add(e.getKey());
                } catch (ExecutionException err) {
                    if (!(err.getCause() instanceof TopicExistsException)) {
                        throw err;
                    }
                }
            }
            if (!created.isEmpty()) {
                LOG.infof("created Kafka topics %s (%d partitions)", created, config.topicPartitions());
            }
        } catch (ExecutionException | TimeoutException err) {
            Throwable cause = err instanceof ExecutionException ? err.getCause() : err;
            LOG.warnf("could not create the Kafka topics %s (set harmonia.kafka.create-topics=false and create them"
                    + " yourself if Harmonia may not): %s", names, cause.toString());
        } catch (InterruptedException err) {
            Thread.currentThread().interrupt();
        }
    }

    /** The topics Harmonia publishes to or consumes from. */
    static Set<String> names(KafkaConfig config, Config mp) {
        Set<String> names = new LinkedHashSet<>();
        if (config.relay().enabled()) {
            names.add(config.eventsTopic());
        }
        config.workers().keySet().forEach(w -> names.add(config.tasksTopicPrefix() + w));
        String channel = "mp.messaging.incoming." + Topics.TASK_RESULTS_CHANNEL;
        names.add(mp.getOptionalValue(channel + ".topic", String.class).orElse(Topics.TASK_RESULTS_TOPIC));
        names.add(mp.getOptionalValue(channel + ".dead-letter-queue.topic", String.class)
                .orElse(Topics.TASK_RESULTS_DLT));
        String signals = "mp.messaging.incoming." + Topics.SIGNALS_CHANNEL;
        names.add(mp.getOptionalValue(signals + ".topic", String.class).orElse(Topics.SIGNALS_TOPIC));
        names.add(mp.getOptionalValue(signals + ".dead-letter-queue.topic", String.class).orElse(Topics.SIGNALS_DLT));
        return names;
    }
}
