import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durable waits at scale (single-file JDK program, run by bench/waits.sh): starts executions of a one-task
 * {@code core.wait {"duration": "PT1H"}} workflow against a running service, {@code --concurrency} starts in flight,
 * and at each checkpoint (a number of executions waiting) waits until the service holds (almost) none of them in memory
 * ({@code harmonia_executions_hot}), forces a full GC ({@code jcmd <pid> GC.run}) and records the used heap
 * ({@code GC.heap_info}) and the top of the class histogram. A warm-up of {@code duration PT0S} waits, which
 * complete at once, runs first, so that what the code paths load once is in the baseline.
 *
 * <pre>java bench/WaitsBench.java --url http://localhost:18580 --pid 1234 [--executions 100000] [--concurrency 48]
 *     [--checkpoints 0,25000,50000,100000] [--warmup 2000] [--hot-bound 100] [--settle-s 180] [--duration PT1H]</pre>
 */
public class WaitsBench {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final Pattern HEAP_USED = Pattern.compile("total (\\d+)K, used (\\d+)K");

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new HashMap<>(Map.of("--executions", "100000", "--concurrency", "48",
                "--checkpoints", "0,25000,50000,100000", "--warmup", "2000", "--hot-bound", "100",
                "--settle-s", "180", "--duration", "PT1H"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            opt.put(args[i], args[i + 1]);
        }
        String url = require(opt, "--url");
        String pid = require(opt, "--pid");
        int executions = Integer.parseInt(opt.get("--executions"));
        int concurrency = Integer.parseInt(opt.get("--concurrency"));
        int hotBound = Integer.parseInt(opt.get("--hot-bound"));
        Duration settle = Duration.ofSeconds(Long.parseLong(opt.get("--settle-s")));
        List<Integer> checkpoints = new ArrayList<>();
        for (String c : opt.get("--checkpoints").split(",")) {
            int n = Integer.parseInt(c.trim());
            if (n <= executions) {
                checkpoints.add(n);
            }
        }

        String warm = createWorkflow(url, "waits-bench-warm-up", "PT0S");
        String wf = createWorkflow(url, "waits-bench", opt.get("--duration"));
        int warmup = Integer.parseInt(opt.get("--warmup"));
        long t0 = System.nanoTime();
        startMany(url, warm, warmup, concurrency);
        System.out.printf("warm-up: %d executions of a wait of PT0S in %d ms%n", warmup, ms(t0));

        System.out.println("| waiting | start rate (/s) | harmonia_executions_hot | heap used after full GC (MB)"
                + " | growth (MB) | bytes per waiting execution |");
        System.out.println("|---|---|---|---|---|---|");
        int started = 0;
        long baseline = -1;
        for (int checkpoint : checkpoints) {
            long begin = System.nanoTime();
            int batch = checkpoint - started;
            startMany(url, wf, batch, concurrency);
            double rate = batch == 0 ? 0 : batch * 1e9 / (System.nanoTime() - begin);
            started = checkpoint;
            double hot = awaitHotAtMost(url, hotBound, settle);
            long used = usedHeapAfterGc(pid);
            Files.writeString(Path.of("target", "waits-bench-histo-" + checkpoint + ".txt"),
                    jcmd(pid, "GC.class_histogram").lines().limit(40).reduce("", (a, b) -> a + b + "\n"));
            if (baseline < 0) {
                baseline = used;
            }
            long growth = used - baseline;
            System.out.printf("| %,d | %.0f | %.0f | %.1f | %.1f | %s |%n", checkpoint, rate, hot, used / 1048576.0,
                    growth / 1048576.0, checkpoint == 0 ? "-" : String.valueOf(growth / checkpoint));
        }
        System.out.println("class histograms (top 40 after the full GC): target/waits-bench-histo-<waiting>.txt");
        System.exit(0);
    }

    static String require(Map<String, String> opt, String name) {
        String v = opt.get(name);
        if (v == null) {
            throw new IllegalArgumentException("expected option " + name);
        }
        return v;
    }

    static long ms(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1_000_000;
    }

    static String createWorkflow(String url, String name, String duration) throws Exception {
        String body = "{\"name\": \"" + name + "\", \"tasks\": [{\"id\": \"w\", \"component\": \"core\","
                + " \"action\": \"wait\", \"input\": {\"duration\": \"" + duration + "\"}}]}";
        HttpResponse<String> r = post(url + "/api/workflows", body);
        if (r.statusCode() != 201) {
            throw new IllegalStateException("expected 201 creating a workflow, found " + r.statusCode() + ": "
                    + r.body());
        }
        Matcher m = Pattern.compile("\"workflow_id\"\\s*:\\s*\"([^\"]+)\"").matcher(r.body());
        if (!m.find()) {
            throw new IllegalStateException("expected a workflow_id in " + r.body());
        }
        return m.group(1);
    }

    /** Starts {@code count} executions, {@code concurrency} in flight; fails on the first start not answered 201. */
    static void startMany(String url, String workflowId, int count, int concurrency) throws Exception {
        AtomicInteger next = new AtomicInteger();
        String body = "{\"workflow_id\": \"" + workflowId + "\", \"input\": {}}";
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < concurrency; w++) {
                workers.add(pool.submit(() -> {
                    while (next.getAndIncrement() < count) {
                        HttpResponse<String> r = post(url + "/api/executions", body);
                        if (r.statusCode() != 201) {
                            throw new IllegalStateException("expected 201 starting an execution, found "
                                    + r.statusCode() + ": " + r.body());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : workers) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static HttpResponse<String> post(String uri, String json) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Waits until the service holds at most {@code bound} executions in memory; returns the gauge then. */
    static double awaitHotAtMost(String url, int bound, Duration atMost) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        double hot;
        do {
            hot = metric(url, "harmonia_executions_hot");
            if (hot <= bound) {
                return hot;
            }
            Thread.sleep(500); // a poll interval: the gauge changes with the service's scans
        } while (System.nanoTime() < deadline);
        throw new IllegalStateException("expected harmonia_executions_hot <= " + bound + " within " + atMost
                + ", found " + hot);
    }

    static double metric(String url, String name) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/q/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        double sum = Double.NaN;
        for (String line : r.body().split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                double v = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                sum = Double.isNaN(sum) ? v : sum + v;
            }
        }
        return sum;
    }

    /** Heap used after two full GCs ({@code jcmd GC.run}), from {@code jcmd GC.heap_info}, in bytes. */
    static long usedHeapAfterGc(String pid) throws Exception {
        jcmd(pid, "GC.run");
        jcmd(pid, "GC.run");
        String info = jcmd(pid, "GC.heap_info");
        Matcher m = HEAP_USED.matcher(info);
        if (!m.find()) {
            throw new IllegalStateException("expected 'total ...K, used ...K' in jcmd GC.heap_info, found: " + info);
        }
        return Long.parseLong(m.group(2)) * 1024;
    }

    static String jcmd(String pid, String command) throws Exception {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Process p = new ProcessBuilder(jcmd, pid, command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("jcmd " + pid + " " + command + " failed: " + out);
        }
        return out;
    }
}
