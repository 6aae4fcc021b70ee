package io.harmonia.config;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Fails fast, with a message that says what to set, when no Postgres is configured. Only dev and test start an
 * embedded Postgres; production never does.
 */
@ApplicationScoped
public class DatasourceGuard {

    void check(@Observes @Priority(1) StartupEvent ignored) {
        boolean configured = ConfigProvider.getConfig()
                .getOptionalValue("quarkus.datasource.reactive.url", String.class)
                .filter(s -> !s.isBlank()).isPresent();
        if (!configured) {
            throw new IllegalStateException("Harmonia needs a Postgres database, and none is configured. Set"
                    + " QUARKUS_DATASOURCE_REACTIVE_URL (postgresql://host:5432/db), QUARKUS_DATASOURCE_JDBC_URL"
                    + " (jdbc:postgresql://host:5432/db, for migrations), QUARKUS_DATASOURCE_USERNAME and"
                    + " QUARKUS_DATASOURCE_PASSWORD. (Only the dev and test profiles start an embedded Postgres.)");
        }
    }
}
