package io.harmonia.config.devservices;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Harmonia's own "dev service" for Kafka. In the {@code dev} and {@code test} profiles, when no
 * {@code kafka.bootstrap.servers} is configured, it starts one embedded Apache Kafka broker (KRaft, see
 * {@link EmbeddedKafka}) per JVM and points {@code kafka.bootstrap.servers} at it. In any other profile it does
 * nothing and never loads a Kafka broker class (the broker jars are optional dependencies, absent from the
 * production build).
 *
 * <ul>
 *   <li>{@code HARMONIA_KAFKA_BOOTSTRAP_SERVERS} (environment): use that Kafka instead of starting one.</li>
 *   <li>{@code harmonia.dev-services.kafka.enabled=false}, or {@code harmonia.kafka.enabled=false} (Harmonia
 *       without Kafka): start nothing.</li>
 *   <li>{@code harmonia.dev-services.kafka.port}: the broker's port (default: a free port chosen once per JVM).</li>
 *   <li>{@code harmonia.dev-services.kafka.data-dir}: the dev profile's data directory (default
 *       {@code target/harmonia-dev-kafka}, kept across dev sessions); the test profile uses a temporary one.</li>
 * </ul>
 *
 * <p>The broker logs through slf4j (JBoss LogManager in Quarkus); its categories {@code kafka},
 * {@code org.apache.kafka} and {@code state.change.logger} are set to WARN unless configured otherwise.
 */
public final class EmbeddedKafkaConfigSourceFactory implements ConfigSourceFactory {

    static final int ORDINAL = 255; // above application.properties (250), below env vars (300) and system props (400)
    static final String ENV_BOOTSTRAP_SERVERS = "HARMONIA_KAFKA_BOOTSTRAP_SERVERS";
    static final String SOURCE_NAME = "harmonia-embedded-kafka";
    private static final List<String> QUIET_CATEGORIES = List.of("kafka", "org.apache.kafka", "state.change.logger");
    // strong references: java.util.logging keeps loggers weakly, a collected logger would lose its level
    private static final Map<String, Logger> QUIETED = new HashMap<>();

    private final UnaryOperator<String> env;

    public EmbeddedKafkaConfigSourceFactory() {
        this(System::getenv);
    }

    EmbeddedKafkaConfigSourceFactory(UnaryOperator<String> env) {
        this.env = env;
    }

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        List<String> profiles = context.getProfiles();
        boolean devOrTest = profiles.contains("dev") || profiles.contains("test");
        if (!devOrTest || configured(context, "kafka.bootstrap.servers")
                || "false".equalsIgnoreCase(value(context, "harmonia.dev-services.kafka.enabled"))
                || "false".equalsIgnoreCase(value(context, "harmonia.kafka.enabled"))) {
            return List.of();
        }
        Map<String, String> props = new HashMap<>();
        String external = env.apply(ENV_BOOTSTRAP_SERVERS);
        if (external != null && !external.isBlank()) {
            props.put("kafka.bootstrap.servers", external.trim());
        } else {
            for (String category : QUIET_CATEGORIES) {
                String level = "quarkus.log.category.\"" + category + "\".level";
                if (!configured(context, level)) {
                    props.put(level, "WARN");
                    quiet(category); // the broker starts (and logs) before Quarkus applies its log configuration
                }
            }
            String port = value(context, "harmonia.dev-services.kafka.port");
            EmbeddedKafka kafka = EmbeddedKafka.shared(profiles.contains("test") ? "test" : "dev",
                    value(context, "harmonia.dev-services.kafka.data-dir"),
                    port == null || port.isBlank() ? 0 : Integer.parseInt(port.trim()));
            props.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        }
        return List.of(new PropertiesConfigSource(props, SOURCE_NAME, ORDINAL));
    }

    private static synchronized void quiet(String category) {
        QUIETED.computeIfAbsent(category, c -> {
            Logger logger = Logger.getLogger(c);
            logger.setLevel(Level.WARNING);
            return logger;
        });
    }

    /** Set by the user: the defaults of extensions (ordinal {@code <= 0}) do not count. */
    private static boolean configured(ConfigSourceContext context, String name) {
        ConfigValue v = context.getValue(name);
        return v != null && v.getValue() != null && !v.getValue().isBlank() && v.getConfigSourceOrdinal() > 0;
    }

    private static String value(ConfigSourceContext context, String name) {
        ConfigValue v = context.getValue(name);
        return v == null ? null : v.getValue();
    }
}
