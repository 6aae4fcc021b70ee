package io.harmonia.config;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Fails fast, with a message that says what to set, when Kafka is enabled and no broker is configured (like
 * {@link DatasourceGuard} for Postgres). Only dev and test start an embedded broker; production never does. Runs
 * before the messaging channels start.
 */
@ApplicationScoped
public class KafkaGuard {

    void check(@Observes @Priority(-20) StartupEvent ignored) {
        problem(ConfigProvider.getConfig()).ifPresent(message -> {
            throw new IllegalStateException(message);
        });
    }

    /** What is wrong with the Kafka configuration, if anything. */
    static Optional<String> problem(Config config) {
        boolean enabled = config.getOptionalValue("harmonia.kafka.enabled", Boolean.class).orElse(true);
        boolean configured = config.getOptionalValue("kafka.bootstrap.servers", String.class)
                .filter(s -> !s.isBlank()).isPresent();
        if (enabled && !configured) {
            return Optional.of("Harmonia is configured to use Kafka (HARMONIA_KAFKA_ENABLED is true, the default) and"
                    + " no Kafka broker is configured. Set KAFKA_BOOTSTRAP_SERVERS (host:9092[,host2:9092]; security"
                    + " with KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_MECHANISM, KAFKA_SASL_JAAS_CONFIG, ...), or set"
                    + " HARMONIA_KAFKA_ENABLED=false to run without Kafka (events stay in Postgres and are served by"
                    + " the API; worker components cannot be used). (Only the dev and test profiles start an embedded"
                    + " Kafka.)");
        }
        return Optional.empty();
    }
}
