package io.harmonia.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;

/** Production without a Kafka broker fails at start with a message naming what to set, unless Kafka is off. */
class KafkaGuardTest {

    private static Config config(Map<String, String> props) {
        return new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(props, "test", 100)).build();
    }

    @Test
    void noBrokerConfiguredNamesBothVariables() {
        assertThat(KafkaGuard.problem(config(Map.of()))).hasValueSatisfying(m -> assertThat(m)
                .contains("KAFKA_BOOTSTRAP_SERVERS").contains("HARMONIA_KAFKA_ENABLED=false"));
        assertThat(KafkaGuard.problem(config(Map.of("kafka.bootstrap.servers", " ")))).isPresent();
    }

    @Test
    void aBrokerOrKafkaDisabledIsFine() {
        assertThat(KafkaGuard.problem(config(Map.of("kafka.bootstrap.servers", "kafka:9092")))).isEmpty();
        assertThat(KafkaGuard.problem(config(Map.of("harmonia.kafka.enabled", "false")))).isEmpty();
    }
}
