package io.harmonia.runtime;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
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
    static Process launch(Path log, int httpPort, String reactiveUrl, String jdbcUrl, String user, String password,
            Map<String, String> extraEnv) throws Exception {
        String jar = System.getProperty("harmonia.app.jar", "target/quarkus-app/quarkus-run.jar");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(javaBin, "-jar", jar);
        Map<String, String> env = pb.environment();
        env.put("QUARKUS_HTTP_PORT", String.valueOf(httpPort));
        // these tests are about the engine: no Kafka here (KafkaOutageTest covers publication)
        env.put("HARMONIA_KAFKA_ENABLED", "false");
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL", reactiveUrl);
        env.put("QUARKUS_DATASOURCE_JDBC_URL", jdbcUrl);
        env.put("QUARKUS_DATASOURCE_USERNAME", user);
        env.put("QUARKUS_DATASOURCE_PASSWORD", password);
        env.putAll(extraEnv);
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process p = pb.start();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> given().port(httpPort).get("/q/health/ready").statusCode() == 200);
        return p;
    }
}
