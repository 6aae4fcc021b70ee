package io.harmonia.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One replica of the packaged service, started by {@link Replicas}: its id ({@code HARMONIA_CLUSTER_REPLICA_ID}),
 * HTTP port and log file, the signals a test sends it (kill -9, SIGTERM, SIGSTOP, SIGCONT), and what it answers over
 * HTTP (start requests, {@code /api/cluster}, {@code /q/metrics}).
 */
final class Replica {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    final String id;
    final int port;
    final Path log;
    private final Supplier<Process> starter;
    private volatile Process process;

    Replica(String id, int port, Path log, Supplier<Process> starter) {
        this.id = id;
        this.port = port;
        this.log = log;
        this.starter = starter;
        this.process = starter.get();
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    void awaitReady(Duration atMost) {
        if (!process.isAlive()) {
            throw new IllegalStateException("replica " + id + " exited with " + process.exitValue()
                    + " before it was ready; see " + log);
        }
        ServiceProcess.awaitReady(port, atMost);
    }

    /** kill -9; returns once the process is gone. */
    void kill9() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** SIGTERM; returns how long the process took to exit, or throws if it is still running after {@code atMost}. */
    Duration terminate(Duration atMost) throws InterruptedException {
        long start = System.nanoTime();
        process.destroy(); // SIGTERM
        if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            process.destroyForcibly().waitFor();
            throw new AssertionError("replica " + id + " was still running " + waited.toMillis()
                    + " ms after SIGTERM (expected an exit within " + atMost.toMillis() + " ms); killed it; see "
                    + log);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    int exitValue() {
        return process.exitValue();
    }

    /** SIGSTOP: the process keeps its sockets and memory but runs no instruction until {@link #resume()}. */
    void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT. */
    void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + name + " " + pid() + " (replica " + id + ") exited with "
                    + kill.exitValue());
        }
    }

    /** Starts the process again (after a kill or an exit), same id, port, environment and log file. */
    void restart() throws InterruptedException {
        if (process.isAlive()) {
            throw new IllegalStateException("replica " + id + " (pid " + pid() + ") is still running");
        }
        process = starter.get();
    }

    /** Forces a full garbage collection in the process ({@code jcmd <pid> GC.run}). */
    void forceGc() throws IOException, InterruptedException {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Process p = new ProcessBuilder(jcmd, String.valueOf(pid()), "GC.run").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("jcmd " + pid() + " GC.run (replica " + id + ") failed: " + out);
        }
    }

    /** An HTTP answer: status and body. */
    record Answer(int status, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("expected JSON, found: " + body, e);
            }
        }
    }

    Answer get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body());
    }

    Answer post(String path, String json, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        headers.forEach(b::header);
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body());
    }

    /** Creates a workflow; returns its id. */
    String createWorkflow(String definition) throws IOException, InterruptedException {
        Answer a = post("/api/workflows", definition, Map.of());
        if (a.status() != 201) {
            throw new IllegalStateException("expected 201 creating a workflow on replica " + id + ", found "
                    + a.status() + ": " + a.body());
        }
        return a.json().path("workflow_id").asText();
    }

    /** Starts an execution with an idempotency key (so that a start retried elsewhere is not doubled); its id. */
    String startExecution(String workflowId, String inputJson, String idempotencyKey)
            throws IOException, InterruptedException {
        Answer a = post("/api/executions", "{\"workflow_id\": \"" + workflowId + "\", \"input\": " + inputJson + "}",
                Map.of("Idempotency-Key", idempotencyKey));
        if (a.status() != 201 && a.status() != 200) {
            throw new IllegalStateException("expected 201 starting an execution on replica " + id + ", found "
                    + a.status() + ": " + a.body());
        }
        return a.json().path("execution_id").asText();
    }

    /**
     * {@code GET /api/cluster}: partition -> owning replica id, or empty when this replica has no such endpoint
     * (a service without partition ownership).
     */
    /**
     * Waits until, as this replica reads {@code /api/cluster}, every one of {@code replicaIds} owns partitions
     * (returns at once on a service without that endpoint).
     */
    void awaitOwners(String... replicaIds) throws IOException, InterruptedException {
        if (partitionOwners().isEmpty()) {
            return;
        }
        org.awaitility.Awaitility.await(String.join(" and ", replicaIds) + " own partitions")
                .atMost(java.time.Duration.ofSeconds(30)).pollInterval(java.time.Duration.ofMillis(200))
                .until(() -> partitionOwners().orElseThrow().values().containsAll(java.util.List.of(replicaIds)));
    }

    Optional<Map<Integer, String>> partitionOwners() throws IOException, InterruptedException {
        Answer a = get("/api/cluster");
        if (a.status() == 404) {
            return Optional.empty();
        }
        if (a.status() != 200) {
            throw new IllegalStateException("expected 200 from /api/cluster on replica " + id + ", found "
                    + a.status() + ": " + a.body());
        }
        Map<Integer, String> owners = new HashMap<>();
        for (JsonNode p : a.json().path("partitions")) {
            JsonNode owner = p.path("owner");
            owners.put(p.path("partition").asInt(), owner.isNull() || owner.isMissingNode() ? null : owner.asText());
        }
        return Optional.of(owners);
    }

    /**
     * The sum of the series of metric {@code name} in {@code /q/metrics} whose labels contain every one of
     * {@code labels} (e.g. {@code area="heap"}); NaN when there is no such series.
     */
    double metric(String name, String... labels) throws IOException, InterruptedException {
        Answer a = get("/q/metrics");
        if (a.status() != 200) {
            throw new IllegalStateException("expected 200 from /q/metrics on replica " + id + ", found " + a.status());
        }
        double sum = 0;
        boolean found = false;
        for (String line : a.body().lines().toList()) {
            if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            String series = line.substring(0, space);
            if (List.of(labels).stream().allMatch(series::contains)) {
                sum += Double.parseDouble(line.substring(space + 1));
                found = true;
            }
        }
        return found ? sum : Double.NaN;
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    @Override
    public String toString() {
        return "replica " + id + " (port " + port + ", pid " + (process == null ? "-" : process.pid()) + ")";
    }
}
