package io.harmonia.config;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * {@code harmonia.kafka.enabled=false} ({@code HARMONIA_KAFKA_ENABLED=false}) also switches the task-results channel
 * (and the signals channel) to a connector that connects to nothing ({@code harmonia-no-kafka}), so that no Kafka
 * consumer is created. One
 * switch, instead of {@code MP_MESSAGING_INCOMING_TASK_RESULTS_ENABLED}, which an environment variable cannot name
 * (the dash of {@code task-results} has no environment form: it becomes the channel {@code task.results}).
 */
public final class KafkaSwitchConfigSourceFactory implements ConfigSourceFactory {

    static final int ORDINAL = 275; // above application.properties (250), below env vars (300) and system props (400)
    static final String CONNECTOR = "mp.messaging.incoming.task-results.connector";
    static final String SIGNALS_CONNECTOR = "mp.messaging.incoming.signals.connector";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue enabled = context.getValue("harmonia.kafka.enabled");
        if (enabled == null || enabled.getValue() == null || !"false".equalsIgnoreCase(enabled.getValue().trim())) {
            return List.of();
        }
        return List.of(new PropertiesConfigSource(Map.of(CONNECTOR, "harmonia-no-kafka",
                SIGNALS_CONNECTOR, "harmonia-no-kafka"), "harmonia-kafka-switch",
                ORDINAL));
    }
}
