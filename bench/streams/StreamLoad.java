///usr/bin/env java --source 17 "$0" "$@"; exit $?
// Live-stream load check: run with `java bench/streams/StreamLoad.java [options]` against a running Harmonia on this
// machine (loopback only).
//
//   --url http://localhost:8080     where Harmonia listens (must be localhost / 127.0.0.1)
//   --pid <pid>                     the service's process id, for its resident memory (VmRSS of /proc/<pid>/status)
//   --subscribers 1000              WebSocket subscribers held open at once
//   --per-execution 100             of which this many follow one execution each (/ws/executions/{id}): a slot
//                                   takes a newly started execution, follows it to its end, then takes the next
//   --unfiltered 300                of the rest, this many take every event of the bench workflow; the others only
//                                   workflow_completed (?types=)
//   --rate 5                        executions started per second while the subscribers are open
//   --duration 60                   seconds of load
//   --sleep-ms 20000                the workflow: echo -> sleep(ms) -> echo (rate x sleep = executions running)
//
// It creates the workflow, opens the subscribers (50 handshakes at a time), measures the service's memory idle, then
// starts executions at the given rate for the given time, waits for them to finish (at most 60 s), and prints: the
// subscribers opened and lost, messages received, event latency p50/p90/p99/max (from the event's "time", the
// engine's clock at the decision, to receipt here; same machine, same clock), and the service's RSS and JVM heap
// before, with the subscribers idle, at the peak under load, and at the end. Everything is bounded: connection and
// request timeouts, the duration, the drain time.
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class StreamLoad {
    static final Pattern TIME = Pattern.compile("\"time\":\"([^\"]+)\"");
    static final Pattern TYPE = Pattern.compile("^\\{\"type\":\"([a-z_]+)\"");
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    static String url;
    static String ws;
    static long pid;

    // latencies in ms, appended by listener threads
    static final Object LOCK = new Object();
    static int[] latencies = new int[1 << 20];
    static int latencyCount;
    static final AtomicLong messages = new AtomicLong();
    static final AtomicInteger open = new AtomicInteger();
    static final AtomicInteger failedToOpen = new AtomicInteger();
    static final Map<Integer, AtomicInteger> closes = new java.util.concurrent.ConcurrentHashMap<>();
    static final ConcurrentLinkedDeque<String> started = new ConcurrentLinkedDeque<>();
    static volatile boolean stopping;
    static volatile long peakRss;
    static volatile long peakHeap;
    static volatile int peakOpen;

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>(Map.of("url", "http://localhost:8080", "subscribers", "1000",
                "per-execution", "100", "unfiltered", "300", "rate", "5", "duration", "60", "sleep-ms", "20000",
                "pid", "0"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        url = o.get("url");
        URI base = URI.create(url);
        if (!List.of("localhost", "127.0.0.1", "[::1]").contains(base.getHost())) {
            throw new IllegalArgumentException("Expected a loopback URL (localhost), found " + url);
        }
        ws = url.replaceFirst("^http", "ws");
        pid = Long.parseLong(o.get("pid"));
        int subscribers = Integer.parseInt(o.get("subscribers"));
        int perExecution = Math.min(subscribers, Integer.parseInt(o.get("per-execution")));
        int unfiltered = Math.min(subscribers - perExecution, Integer.parseInt(o.get("unfiltered")));
        int filtered = subscribers - perExecution - unfiltered;
        double rate = Double.parseDouble(o.get("rate"));
        int duration = Integer.parseInt(o.get("duration"));
        int sleepMs = Integer.parseInt(o.get("sleep-ms"));

        System.out.printf("machine: %d cores, %s %s; java %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("java.version"));
        System.out.printf("subscribers: %d (%d per execution, %d global unfiltered,"
                + " %d global ?types=workflow_completed);"
                + " %.1f executions/s for %d s; workflow echo -> sleep(%d ms) -> echo%n", subscribers, perExecution,
                unfiltered, filtered, rate, duration, sleepMs);
        String wf = createWorkflow(sleepMs);
        Memory before = memory();
        System.out.printf("service before: %s%n", before);

        HttpClient wsClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        Semaphore handshakes = new Semaphore(50);
        List<CompletableFuture<WebSocket>> opening = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < unfiltered + filtered; i++) {
            String q = i < unfiltered ? "?workflow_id=" + wf : "?workflow_id=" + wf + "&types=workflow_completed";
            handshakes.acquire();
            opening.add(connect(wsClient, ws + "/ws/executions" + q, null)
                    .whenComplete((w, e) -> handshakes.release()));
        }
        for (CompletableFuture<WebSocket> f : opening) {
            try {
                f.get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                // counted in failedToOpen
            }
        }
        System.out.printf("opened %d global subscribers in %d ms (%d failed)%n", open.get(),
                (System.nanoTime() - t0) / 1_000_000, failedToOpen.get());
        Thread.sleep(2000);
        Memory idle = memory();
        System.out.printf("service with %d idle subscribers: %s%n", open.get(), idle);

        ScheduledExecutorService sched = Executors.newScheduledThreadPool(2);
        sched.scheduleAtFixedRate(() -> {
            Memory m = memory();
            peakRss = Math.max(peakRss, m.rss);
            peakHeap = Math.max(peakHeap, m.heap);
            peakOpen = Math.max(peakOpen, open.get());
        }, 0, 500, TimeUnit.MILLISECONDS);
        // per-execution subscribers: each follows the newest execution, and moves on when it ends
        List<String> ids = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger startFailures = new AtomicInteger();
        long periodMicros = (long) (1_000_000 / rate);
        long total = (long) (rate * duration);
        AtomicLong launched = new AtomicLong();
        CompletableFuture<Void> done = new CompletableFuture<>();
        sched.scheduleAtFixedRate(() -> {
            if (launched.getAndIncrement() >= total) {
                done.complete(null);
                return;
            }
            post("/api/executions", "{\"workflow_id\":\"" + wf + "\",\"input\":{\"n\":1}}").whenComplete((body, e) -> {
                if (e != null || body == null || !body.contains("execution_id")) {
                    startFailures.incrementAndGet();
                    return;
                }
                String id = field(body, "execution_id");
                ids.add(id);
                started.addFirst(id);
            });
        }, 0, periodMicros, TimeUnit.MICROSECONDS);
        for (int i = 0; i < perExecution; i++) {
            follower(wsClient);
        }
        done.get(duration + 30L, TimeUnit.SECONDS);
        // drain: wait until every started execution finished (bounded)
        long drainUntil = System.currentTimeMillis() + 60_000 + sleepMs;
        List<String> all = List.copyOf(ids);
        int unfinished = all.size();
        while (System.currentTimeMillis() < drainUntil) {
            unfinished = 0;
            for (String id : all.subList(Math.max(0, all.size() - 20), all.size())) {
                String v = get("/api/executions/" + id);
                if (v == null || !(v.contains("\"COMPLETED\"") || v.contains("\"FAILED\""))) {
                    unfinished++;
                }
            }
            if (unfinished == 0) {
                break;
            }
            Thread.sleep(500);
        }
        Thread.sleep(1000);
        stopping = true;
        Memory end = memory();
        sched.shutdownNow();

        int[] lat;
        synchronized (LOCK) {
            lat = Arrays.copyOf(latencies, latencyCount);
        }
        Arrays.sort(lat);
        String cutOffs = metric("harmonia_streams_cut_off_total");
        System.out.printf("executions started: %d (%d start failures)%n", all.size(), startFailures.get());
        System.out.printf("messages received: %d (%.0f/s over the load)%n", messages.get(),
                messages.get() / (double) duration);
        System.out.printf("event latency (event time -> received): p50 %d ms, p90 %d ms, p99 %d ms, max %d ms"
                + " (%d samples)%n", pct(lat, 50), pct(lat, 90), pct(lat, 99),
                lat.length == 0 ? -1 : lat[lat.length - 1],
                lat.length);
        System.out.printf("subscribers open: at most %d at once, %d at the end; closes by code: %s (1000 = a followed"
                + " execution finished); server cut-offs: %s%n", peakOpen, open.get(), closes, cutOffs);
        System.out.printf("service peak under load: rss %d MiB, heap %d MiB%n", peakRss >> 20, peakHeap >> 20);
        System.out.printf("service at the end: %s%n", end);
        System.exit(0);
    }

    /** One per-execution subscriber slot: follows a newly started execution to its end, then takes the next one. */
    static void follower(HttpClient client) {
        if (stopping) {
            return;
        }
        String id = started.pollFirst();
        if (id == null) {
            CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS).execute(() -> follower(client));
            return;
        }
        connect(client, ws + "/ws/executions/" + id, () -> follower(client)).exceptionally(e -> {
            CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS).execute(() -> follower(client));
            return null;
        });
    }

    static CompletableFuture<WebSocket> connect(HttpClient client, String uri, Runnable onClose) {
        return client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create(uri), new Listener(onClose))
                .whenComplete((w, e) -> {
                    if (e != null) {
                        failedToOpen.incrementAndGet();
                    } else {
                        open.incrementAndGet();
                    }
                });
    }

    static final class Listener implements WebSocket.Listener {
        private final Runnable onClose;
        private StringBuilder partial;

        Listener(Runnable onClose) {
            this.onClose = onClose;
        }

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            long now = System.currentTimeMillis();
            if (!last) {
                (partial == null ? partial = new StringBuilder() : partial).append(data);
            } else {
                String text = partial == null ? data.toString() : partial.append(data).toString();
                partial = null;
                received(text, now);
            }
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
            open.decrementAndGet();
            closes.computeIfAbsent(code, c -> new AtomicInteger()).incrementAndGet();
            if (onClose != null) {
                onClose.run();
            }
            return null;
        }

        @Override
        public void onError(WebSocket w, Throwable error) {
            open.decrementAndGet();
            closes.computeIfAbsent(-1, c -> new AtomicInteger()).incrementAndGet();
            if (onClose != null) {
                onClose.run();
            }
        }
    }

    static void received(String text, long now) {
        Matcher type = TYPE.matcher(text);
        if (type.find() && type.group(1).equals("snapshot")) {
            return;
        }
        messages.incrementAndGet();
        Matcher m = TIME.matcher(text);
        if (!m.find()) {
            return;
        }
        int latency = (int) Math.max(0, now - Instant.parse(m.group(1)).toEpochMilli());
        synchronized (LOCK) {
            if (latencyCount == latencies.length) {
                latencies = Arrays.copyOf(latencies, latencies.length * 2);
            }
            latencies[latencyCount++] = latency;
        }
    }

    static int pct(int[] sorted, int p) {
        if (sorted.length == 0) {
            return -1;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    record Memory(long rss, long heap) {
        @Override
        public String toString() {
            return "rss " + (rss >> 20) + " MiB, heap used " + (heap >> 20) + " MiB";
        }
    }

    static Memory memory() {
        long rss = 0;
        if (pid > 0) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (line.startsWith("VmRSS:")) {
                        rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                    }
                }
            } catch (Exception e) {
                rss = -1;
            }
        }
        long heap = 0;
        String metrics = get("/q/metrics");
        if (metrics != null) {
            for (String line : metrics.split("\n")) {
                if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                    heap += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        }
        return new Memory(rss, heap);
    }

    static String metric(String name) {
        String metrics = get("/q/metrics");
        if (metrics == null) {
            return "?";
        }
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name)) {
                return line.substring(line.lastIndexOf(' ') + 1);
            }
        }
        return "0";
    }

    static String createWorkflow(int sleepMs) throws Exception {
        String body = "{\"name\": \"stream-load\", \"tasks\": ["
                + "{\"id\": \"a\", \"component\": \"core\", \"action\": \"echo\", \"input\": {\"n\": \"${input.n}\"}},"
                + "{\"id\": \"s\", \"component\": \"core\", \"action\": \"sleep\", \"input\": {\"ms\": " + sleepMs
                + "}, \"depends_on\": [\"a\"]},"
                + "{\"id\": \"b\", \"component\": \"core\", \"action\": \"echo\", \"input\": {\"m\": 1},"
                + " \"depends_on\": [\"s\"]}]}";
        String out = post("/api/workflows", body).get(10, TimeUnit.SECONDS);
        return field(out, "workflow_id");
    }

    static CompletableFuture<String> post(String path, String body) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return HTTP.sendAsync(req, HttpResponse.BodyHandlers.ofString()).thenApply(HttpResponse::body);
    }

    static String get(String path) {
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(10)).GET()
                    .build();
            return HTTP.send(req, HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return null;
        }
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("Expected \"" + name + "\" in " + json);
        }
        return m.group(1);
    }
}
