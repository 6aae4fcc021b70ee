package io.harmonia.config.devservices;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Harmonia's own "dev service" for Postgres. In the {@code dev} and {@code test} profiles, when no datasource URL is
 * configured, it starts a real embedded Postgres (binaries from Maven Central) and points the reactive and JDBC
 * datasources at it. In any other profile it does nothing: production never starts embedded servers and fails fast
 * (see {@code DatasourceGuard}) when no datasource is configured.
 *
 * <p>Set {@code HARMONIA_DATASOURCE_URL} (a {@code postgresql://user:pass@host:port/db} URL) or the usual
 * {@code QUARKUS_DATASOURCE_REACTIVE_URL} to use an external Postgres in dev and test.
 */
public final class EmbeddedPostgresConfigSourceFactory implements ConfigSourceFactory {

    static final int ORDINAL = 255; // above application.properties (250), below env vars (300) and system props (400)

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        List<String> profiles = context.getProfiles();
        boolean devOrTest = profiles.contains("dev") || profiles.contains("test");
        if (!devOrTest || configured(context, "quarkus.datasource.reactive.url")
                || configured(context, "quarkus.datasource.jdbc.url")) {
            return List.of();
        }
        ConfigValue enabled = context.getValue("harmonia.dev-services.postgres.enabled");
        if (enabled != null && "false".equalsIgnoreCase(enabled.getValue())) {
            return List.of();
        }
        Map<String, String> props = EmbeddedPostgresHolder.start(
                profiles.contains("test") ? "test" : "dev", value(context, "harmonia.dev-services.postgres.data-dir"));
        return List.of(new PropertiesConfigSource(props, "harmonia-embedded-postgres", ORDINAL));
    }

    private static boolean configured(ConfigSourceContext context, String name) {
        String v = value(context, name);
        return v != null && !v.isBlank();
    }

    private static String value(ConfigSourceContext context, String name) {
        ConfigValue v = context.getValue(name);
        return v == null ? null : v.getValue();
    }
}
