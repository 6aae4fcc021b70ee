package io.harmonia.runtime;

import io.harmonia.config.devservices.EmbeddedKafka;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Several replicas of the packaged service on one Postgres and one Kafka broker, for tests of the cluster: an
 * embedded Postgres of its own, the JVM's embedded KRaft broker (or the one named by
 * {@code HARMONIA_KAFKA_BOOTSTRAP_SERVERS}), and packaged-jar processes, each with its replica id
 * ({@code HARMONIA_CLUSTER_REPLICA_ID}), its HTTP port and its log file {@code target/<name>-<id>.log}.
 * {@link #close()} kills every replica and stops Postgres.
 */
final class Replicas implements AutoCloseable {
    /** Each replica's heap limit: four JVMs and the test's Postgres and broker share the machine. */
    static final List<String> JVM_OPTIONS = List.of("-Xmx1g");

    private final String name;
    private final Map<String, String> env;
    private final EmbeddedPostgres pg;
    private final ServiceProcess.Database db;
    private final String kafka;
    private final Map<String, Replica> replicas = new LinkedHashMap<>();

    private Replicas(String name, Map<String, String> env, EmbeddedPostgres pg, String kafka) {
        this.name = name;
        this.env = Map.copyOf(env);
        this.pg = pg;
        this.db = new ServiceProcess.Database("postgresql://localhost:" + pg.getPort() + "/postgres",
                "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres", "postgres", "postgres");
        this.kafka = kafka;
    }

    /**
     * Starts Postgres (and the broker, once per JVM); {@code env} is given to every replica (e.g. the lease). Logs
     * go to {@code target/<name>-<replica id>.log}, emptied here.
     */
    static Replicas start(String name, Map<String, String> env) throws IOException {
        EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
        String external = System.getenv("HARMONIA_KAFKA_BOOTSTRAP_SERVERS");
        String kafka = external != null && !external.isBlank() ? external : EmbeddedKafka.shared().bootstrapServers();
        return new Replicas(name, env, pg, kafka);
    }

    String kafkaBootstrapServers() {
        return kafka;
    }

    /** Starts a replica for each id, all at once, and waits until each is ready. */
    List<Replica> launch(String... ids) {
        List<Replica> started = new ArrayList<>();
        for (String id : ids) {
            started.add(add(id, Map.of()));
        }
        for (Replica r : started) {
            r.awaitReady(Duration.ofSeconds(120));
        }
        return started;
    }

    /** Starts a replica with more environment on top of the common one; does not wait for it to be ready. */
    Replica add(String id, Map<String, String> extraEnv) {
        if (replicas.containsKey(id)) {
            throw new IllegalArgumentException("replica " + id + " exists already");
        }
        try {
            int port = ServiceProcess.freePort();
            Path log = Path.of("target", name + "-" + id + ".log");
            Files.deleteIfExists(log);
            Map<String, String> all = new HashMap<>(env);
            all.put("HARMONIA_CLUSTER_REPLICA_ID", id);
            all.putAll(extraEnv);
            Replica r = new Replica(id, port, log, () -> {
                try {
                    // the replica's connections name it (EventLog.trackOrigins tells who inserted each event)
                    ServiceProcess.Database named = new ServiceProcess.Database(db.reactiveUrl()
                            + "?application_name=" + EventLog.APPLICATION_NAME_PREFIX + id, db.jdbcUrl(), db.user(),
                            db.password());
                    return ServiceProcess.start(log, port, named, kafka, JVM_OPTIONS, all);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (Exception e) {
                    throw new IllegalStateException("could not start replica " + id, e);
                }
            });
            replicas.put(id, r);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("could not start replica " + id, e);
        }
    }

    Replica get(String id) {
        Replica r = replicas.get(id);
        if (r == null) {
            throw new IllegalArgumentException("no replica " + id + "; there are " + replicas.keySet());
        }
        return r;
    }

    /** A new JDBC connection to the replicas' database (for assertions on the events). */
    Connection jdbc() throws SQLException {
        return pg.getPostgresDatabase().getConnection();
    }

    /** The events of the replicas' database. */
    EventLog events() {
        return new EventLog(this::jdbc);
    }

    /** Prints a measurement and appends it to {@code target/<name>-measurements.txt} (for the README). */
    void report(String line) {
        String stamped = java.time.Instant.now() + " " + name + ": " + line;
        System.out.println(stamped);
        try {
            Files.writeString(Path.of("target", name + "-measurements.txt"), stamped + System.lineSeparator(),
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        for (Replica r : replicas.values()) {
            try {
                r.kill9(); // SIGKILL ends a stopped process too
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        pg.close();
    }
}
