///usr/bin/env java --source 17 "$0" "$@"; exit $?
// Harmonia load benchmark: run with `java bench/Bench.java [options]` against a running Harmonia.
//
//   --url http://localhost:8080   where Harmonia listens
//   --workload W1|W2|W3            W1 fan-out/fan-in A -> (B, C, D) -> E; W2 a chain of 10 tasks; W3 one task
//   --executions 2000              how many executions to start
//   --concurrency 32               concurrent start requests (clients)
//   --rate 0                       if > 0: start this many executions per second instead (latency run)
//   --warmup 200                   executions run first and not measured
//   --pg postgresql://postgres@127.0.0.1:5432/harmonia   optional: measure WAL bytes written per execution (psql)
//
// It creates the workflow, starts the executions over the REST API, waits until every one has finished, and prints
// executions/s, tasks/s, p50/p95/p99 start-to-complete latency (from sending the start request to the execution's
// end_time), events persisted per execution, the service's own CPU per execution and per task (from its
// process_cpu_time_ns_total metric) and, with --pg, the Postgres WAL bytes written per execution. It refuses to report a run in which any execution did not complete.
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class Bench {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    static String url = "http://localhost:8080";
    static String pg;

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>(Map.of("workload", "W3", "executions", "2000", "concurrency", "32",
                "rate", "0", "warmup", "200"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        url = o.getOrDefault("url", url);
        pg = o.get("pg");
        String workload = o.get("workload").toUpperCase();
        int n = Integer.parseInt(o.get("executions"));
        int concurrency = Integer.parseInt(o.get("concurrency"));
        double rate = Double.parseDouble(o.get("rate"));
        int warmup = Integer.parseInt(o.get("warmup"));
        int tasks = switch (workload) { case "W1" -> 5; case "W2" -> 10; case "W3" -> 1;
            default -> throw new IllegalArgumentException("expected W1, W2 or W3, found " + workload); };
        String wf = createWorkflow(workload);
        System.out.printf("workload %s (%d tasks), workflow %s, %d executions, %s%n", workload, tasks, wf, n,
                rate > 0 ? rate + " starts/s" : concurrency + " concurrent clients");
        if (warmup > 0) {
            run(wf, warmup, concurrency, 0, tasks, false);
        }
        run(wf, n, concurrency, rate, tasks, true);
    }

    static void run(String wf, int n, int concurrency, double rate, int tasks, boolean report) throws Exception {
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        Semaphore slots = new Semaphore(concurrency);
        List<CompletableFuture<?>> starts = new ArrayList<>();
        double cpu0 = cpuNanos();
        long wal0 = walBytes();
        long t0 = System.nanoTime();
        Instant wall0 = Instant.now();
        for (int i = 0; i < n; i++) {
            if (rate > 0) {
                long due = t0 + (long) (i * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            } else {
                slots.acquire();
            }
            long sent = System.currentTimeMillis();
            String body = "{\"workflow_id\": \"" + wf + "\", \"input\": {\"n\": " + i + "}}";
            starts.add(HTTP.sendAsync(post("/api/executions", body), HttpResponse.BodyHandlers.ofString())
                    .thenAccept(r -> {
                        if (r.statusCode() != 201) {
                            throw new IllegalStateException("start answered " + r.statusCode() + ": " + r.body());
                        }
                        sentAt.put(field(r.body(), "execution_id"), sent);
                    }).whenComplete((x, e) -> slots.release()));
        }
        CompletableFuture.allOf(starts.toArray(new CompletableFuture[0])).join();
        // wait until none of this workflow's executions is still running
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (count(wf, "RUNNING") + count(wf, "PENDING") > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("executions still running after 10 minutes");
            }
            Thread.sleep(50);
        }
        double cpu = cpuNanos() - cpu0;
        long wal = walBytes() - wal0;
        if (!report) {
            return;
        }
        // read back every execution of the run: status, end time, events
        List<Long> latencies = new ArrayList<>();
        long events = 0;
        Instant lastEnd = wall0;
        int notCompleted = 0;
        for (int offset = 0; ; offset += 500) {
            String page = get("/api/executions?workflow_id=" + wf + "&limit=500&offset=" + offset);
            Matcher m = Pattern.compile("\"execution_id\":\"([^\"]+)\"").matcher(page);
            List<String> ids = new ArrayList<>();
            while (m.find()) {
                ids.add(m.group(1));
            }
            if (ids.isEmpty()) {
                break;
            }
            for (String item : page.split("\\{\"error\"")) {
                String id = field(item, "execution_id");
                if (id == null || !sentAt.containsKey(id)) {
                    continue;
                }
                if (!"COMPLETED".equals(field(item, "status"))) {
                    notCompleted++;
                    continue;
                }
                Instant end = Instant.parse(endTime(item));
                lastEnd = end.isAfter(lastEnd) ? end : lastEnd;
                latencies.add(end.toEpochMilli() - sentAt.get(id));
                events += Long.parseLong(numberAfter(item, "\"version\":"));
            }
        }
        if (notCompleted > 0 || latencies.size() != n) {
            System.out.printf("REFUSED: %d of %d executions did not complete (%d read back)%n", notCompleted, n,
                    latencies.size());
            System.exit(1);
        }
        Collections.sort(latencies);
        double seconds = Duration.between(wall0, lastEnd).toMillis() / 1000.0;
        System.out.printf("executions/s %.1f   tasks/s %.1f   (%d executions in %.2f s)%n", n / seconds,
                n * tasks / seconds, n, seconds);
        System.out.printf("latency ms  p50 %d   p95 %d   p99 %d   max %d%n", pct(latencies, 50), pct(latencies, 95),
                pct(latencies, 99), latencies.get(latencies.size() - 1));
        System.out.printf("events persisted per execution %.1f%n", (double) events / n);
        if (cpu > 0) {
            System.out.printf("service CPU  %.3f ms per execution   %.3f ms per task%n", cpu / 1e6 / n,
                    cpu / 1e6 / n / tasks);
        }
        if (wal > 0) {
            System.out.printf("Postgres WAL written  %.0f bytes per execution%n", (double) wal / n);
        }
    }

    static double cpuNanos() throws Exception {
        Matcher m = Pattern.compile("(?m)^process_cpu_time_ns_total\\S*\\s+([0-9.Ee+]+)").matcher(get("/q/metrics"));
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    static long walBytes() throws Exception {
        if (pg == null) {
            return 0;
        }
        Process p = new ProcessBuilder("psql", pg, "-Atc", "select pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor();
        return Long.parseLong(out);
    }

    static long pct(List<Long> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    static long count(String wf, String status) throws Exception {
        return Long.parseLong(numberAfter(get("/api/executions?limit=1&workflow_id=" + wf + "&status=" + status),
                "\"total\":"));
    }

    static String createWorkflow(String workload) throws Exception {
        StringBuilder t = new StringBuilder();
        switch (workload) {
            case "W1" -> t.append(task("a", "")).append(',').append(task("b", "a")).append(',')
                    .append(task("c", "a")).append(',').append(task("d", "a")).append(',')
                    .append(task("e", "b\", \"c\", \"d"));
            case "W2" -> {
                for (int i = 0; i < 10; i++) {
                    t.append(i == 0 ? "" : ",").append(task("t" + i, i == 0 ? "" : "t" + (i - 1)));
                }
            }
            default -> t.append(task("only", ""));
        }
        String body = "{\"name\": \"bench-" + workload + "-" + System.nanoTime() + "\", \"tasks\": [" + t + "]}";
        HttpResponse<String> r = HTTP.send(post("/api/workflows", body), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("workflow creation answered " + r.statusCode() + ": " + r.body());
        }
        return field(r.body(), "workflow_id");
    }

    static String task(String id, String dependsOn) {
        return "{\"id\": \"" + id + "\", \"component\": \"core\", \"action\": \"echo\", \"input\": {\"n\": \"${input.n}\"}"
                + (dependsOn.isEmpty() ? "" : ", \"depends_on\": [\"" + dependsOn + "\"]") + "}";
    }

    static HttpRequest post(String path, String body) {
        return HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(60))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    static String get(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(60))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : null;
    }

    static String endTime(String item) {
        // the execution's end_time is the last top-level one: task end times come inside task_executions
        Matcher m = Pattern.compile("\"end_time\"\\s*:\\s*\"([^\"]*)\"").matcher(item);
        String found = null;
        int depthAtTasks = item.indexOf("\"task_executions\"");
        while (m.find()) {
            if (depthAtTasks < 0 || m.start() < depthAtTasks) {
                found = m.group(1);
            }
        }
        return found;
    }

    static String numberAfter(String json, String key) {
        Matcher m = Pattern.compile(Pattern.quote(key) + "\\s*(\\d+)").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("expected " + key + " in " + json.substring(0, Math.min(200, json.length())));
        }
        return m.group(1);
    }
}
