package io.harmonia.runtime;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The packaged service started as a process against a given Postgres, for tests that kill or starve it. */
final class ServiceProcess {
    private ServiceProcess() {}

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * Starts the packaged jar on {@code httpPort} against the database ({@code reactiveUrl}, {@code jdbcUrl},
     * user, password), without Kafka, appending its output to {@code log}, and waits until it is ready.
     */
    /** Launches the packaged service on {@code httpPort} against the {@code postgres} database of {@code pg}. */
    static Process launch(Path log, int httpPort, io.zonky.test.db.postgres.embedded.EmbeddedPostgres pg,
            Map<String, String> env) throws Exception {
        String db = "localhost:" + pg.getPort() + "/postgres";
        return launch(log, httpPort, "postgresql://" + db, "jdbc:postgresql://" + db, "postgres", "postgres", env);
    }

    static Process launch(Path log, int httpPort, String reactiveUrl, String jdbcUrl, String user, String password,
            Map<String, String> extraEnv) throws Exception {
        Process p = start(log, httpPort, new Database(reactiveUrl, jdbcUrl, user, password), null, List.of(),
                extraEnv);
        awaitReady(httpPort, Duration.ofSeconds(60));
        return p;
    }

    /** Where a service process finds its Postgres. */
    record Database(String reactiveUrl, String jdbcUrl, String user, String password) {}

    /**
     * Starts the packaged jar on {@code httpPort} against {@code db}, with the Kafka broker at {@code kafkaBootstrap}
     * ({@code null}: without Kafka, {@code HARMONIA_KAFKA_ENABLED=false}), the JVM options {@code jvmOptions} and the
     * environment {@code extraEnv} on top, appending its output to {@code log}. Returns at once: see
     * {@link #awaitReady}.
     */
    static Process start(Path log, int httpPort, Database db, String kafkaBootstrap, List<String> jvmOptions,
            Map<String, String> extraEnv) throws Exception {
        String jar = System.getProperty("harmonia.app.jar", "target/quarkus-app/quarkus-run.jar");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>();
        command.add(javaBin);
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar);
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.put("QUARKUS_HTTP_PORT", String.valueOf(httpPort));
        if (kafkaBootstrap == null) {
            // tests about the engine alone: no Kafka (KafkaOutageTest covers publication)
            env.put("HARMONIA_KAFKA_ENABLED", "false");
        } else {
            env.put("HARMONIA_KAFKA_ENABLED", "true");
            env.put("KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrap);
        }
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL", db.reactiveUrl());
        env.put("QUARKUS_DATASOURCE_JDBC_URL", db.jdbcUrl());
        env.put("QUARKUS_DATASOURCE_USERNAME", db.user());
        env.put("QUARKUS_DATASOURCE_PASSWORD", db.password());
        env.putAll(extraEnv);
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return pb.start();
    }

    /** Waits until {@code /q/health/ready} answers 200 on {@code httpPort}. */
    static void awaitReady(int httpPort, Duration atMost) {
        await("readiness of the service on port " + httpPort).atMost(atMost).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(() -> given().port(httpPort).get("/q/health/ready").statusCode() == 200);
    }
}
