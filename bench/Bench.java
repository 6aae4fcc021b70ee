///usr/bin/env java --source 17 "$0" "$@"; exit $?
// Harmonia load benchmark: run with `java bench/Bench.java [options]` against a running Harmonia.
//
//   --url http://localhost:8080   where Harmonia listens; several replicas: --url http://a:8080,http://b:8080,...
//                                  (starts go round-robin over them; progress, read-back and the relay check ask
//                                  the first, since any replica answers for every execution; the service CPU is
//                                  the sum over all of them, also printed per replica)
//   --workload W1|W2|W3            W1 fan-out/fan-in A -> (B, C, D) -> E; W2 a chain of 10 tasks; W3 one task
//   --executions 2000              how many executions to start
//   --concurrency 32               concurrent start requests (clients)
//   --rate 0                       if > 0: start this many executions per second instead (latency run)
//   --warmup 2000                  executions run first and not measured (the JIT needs a few thousand)
//   --action echo                  echo: every task completes inside the engine, in the decision that starts it (the
//                                  benchmark's workloads); sleep: core.sleep with 0 ms, an asynchronous action, so
//                                  each task is a start append, a dispatch and a result append (the path of http
//                                  and Kafka worker tasks)
//   --pg postgresql://postgres@127.0.0.1:5432/harmonia   optional: measure WAL bytes written per execution (psql)
//
// It creates the workflow, starts the executions over the REST API, waits until every one has finished, and prints
// executions/s, tasks/s, p50/p95/p99 start-to-complete latency (from sending the start request to the later of the
// execution's end_time and the start's answer, which comes once the append holding the start has committed),
// events persisted per execution, the service's own CPU per execution and per task (from its
// process_cpu_time_ns_total metric), the CPU seconds of Harmonia, Postgres, the Kafka broker and itself during the
// run (from /proc, when they run on this machine), with --pg the Postgres WAL bytes written per execution, and how
// far the Kafka relay was behind at the end. It refuses to report a run in which any execution did not complete.
// Its HTTP client is a minimal keep-alive HTTP/1.1 one (one connection per client thread), so that the load
// generator takes little of the machine it shares with what it measures.
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

public class Bench {
    /** Where a replica listens. */
    record Target(String host, int port) {
        static Target of(String url) {
            URI u = URI.create(url.trim());
            if (u.getHost() == null) {
                throw new IllegalArgumentException("expected --url http://host:port[,http://host:port...], found "
                        + url);
            }
            return new Target(u.getHost(), u.getPort() < 0 ? 80 : u.getPort());
        }

        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /** The replicas, in the order given; the first answers the progress and read-back queries. */
    static List<Target> targets = List.of(new Target("localhost", 8080));
    static String pg;
    static String action;
    /** Each client thread's keep-alive connection to each replica. */
    static final ThreadLocal<Map<Target, Http>> CONNECTIONS = ThreadLocal.withInitial(HashMap::new);

    static Http connection(Target target) {
        return CONNECTIONS.get().computeIfAbsent(target, Http::new);
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>(Map.of("workload", "W3", "executions", "2000", "concurrency", "32",
                "rate", "0", "warmup", "2000", "action", "echo"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        targets = Stream.of(o.getOrDefault("url", "http://localhost:8080").split(",")).map(Target::of).toList();
        pg = o.get("pg");
        String workload = o.get("workload").toUpperCase();
        int n = Integer.parseInt(o.get("executions"));
        int concurrency = Integer.parseInt(o.get("concurrency"));
        double rate = Double.parseDouble(o.get("rate"));
        int warmup = Integer.parseInt(o.get("warmup"));
        int tasks = switch (workload) { case "W1" -> 5; case "W2" -> 10; case "W3" -> 1;
            default -> throw new IllegalArgumentException("expected W1, W2 or W3, found " + workload); };
        action = o.get("action");
        if (!action.equals("echo") && !action.equals("sleep")) {
            throw new IllegalArgumentException("expected --action echo or sleep, found " + action);
        }
        String wf = createWorkflow(workload);
        System.out.printf("workload %s (%d tasks, core.%s), workflow %s, %d executions, %s%s%n", workload, tasks,
                action, wf, n,
                rate > 0 ? rate + " starts/s" : concurrency + " concurrent clients",
                targets.size() == 1 ? "" : ", starts round-robin over " + targets.size() + " replicas " + targets);
        if (warmup > 0) {
            run(wf, warmup, concurrency, 0, tasks, false);
        }
        run(wf, n, concurrency, rate, tasks, true);
    }

    /**
     * Starts n executions from {@code concurrency} client threads, each on its own keep-alive connection: closed
     * loop (each client starts the next execution when the previous start was answered) or, with a rate, open loop
     * (execution i is started at t0 + i / rate by whichever client is free).
     */
    static void run(String wf, int n, int concurrency, double rate, int tasks, boolean report) throws Exception {
        // execution id -> {due (nanoTime), answered (nanoTime), due on the wall clock (ms), answered on it (ms)}
        Map<String, long[]> sentAt = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Map<String, Double> cpu0 = cpuByProcess();
        long wal0 = walBytes();
        long t0 = System.nanoTime();
        Instant wall0 = Instant.now();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < concurrency; c++) {
            Thread t = new Thread(() -> {
                try {
                    for (int i = next.getAndIncrement(); i < n && failure.get() == null; i = next.getAndIncrement()) {
                        long due = System.nanoTime();
                        if (rate > 0) {
                            // latency counts from when the start was due, not from when a client was free to send
                            // it: time spent queued in the load generator is part of what a caller would see
                            due = t0 + (long) (i * 1e9 / rate);
                            long wait = due - System.nanoTime();
                            if (wait > 0) {
                                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                            }
                        }
                        // the send time on the wall clock too (end_time is the service's wall clock), taken now:
                        // the monotonic and the wall clock may drift apart over a run
                        long sentWall = System.currentTimeMillis() - (System.nanoTime() - due) / 1_000_000;
                        String body = "{\"workflow_id\": \"" + wf + "\", \"input\": {\"n\": " + i + "}}";
                        Target target = targets.get(i % targets.size());
                        Http.Response r = connection(target).send("POST", "/api/executions", body);
                        if (r.status() != 201) {
                            throw new IllegalStateException("start of execution " + i + " on " + target
                                    + " answered " + r.status() + ": " + r.body());
                        }
                        long answered = System.nanoTime();
                        sentAt.put(field(r.body(), "execution_id"), new long[] {due, answered, sentWall,
                                System.currentTimeMillis()});
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "client-" + c);
            t.start();
            clients.add(t);
        }
        for (Thread t : clients) {
            t.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a start request failed", failure.get());
        }
        // wait until none of this workflow's executions is still running
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (count(wf, "RUNNING") + count(wf, "PENDING") > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("executions still running after 10 minutes");
            }
            Thread.sleep(50);
        }
        Map<String, Double> cpu = cpuByProcess();
        cpu.replaceAll((k, v) -> v - cpu0.getOrDefault(k, 0.0));
        long wal = walBytes() - wal0;
        if (!report) {
            return;
        }
        // read back every execution of the run: status, end time, events
        List<Long> latencies = new ArrayList<>();
        long events = 0;
        Instant lastEnd = wall0;
        int notCompleted = 0;
        // pages follow next_cursor (keyset; offsets are bounded), or offsets on a service without cursors
        String cursor = null;
        for (int offset = 0; ; offset += 500) {
            String page = get("/api/executions?workflow_id=" + wf + "&limit=500" + (cursor == null
                    ? "&offset=" + offset : "&cursor=" + java.net.URLEncoder.encode(cursor, StandardCharsets.UTF_8)));
            List<Map<String, String>> items = items(page);
            if (items.isEmpty()) {
                break;
            }
            Matcher nextCursor = Pattern.compile("\"next_cursor\"\\s*:\\s*(null|\"([^\"]*)\")").matcher(page);
            boolean lastPage = false;
            if (nextCursor.find()) {
                cursor = nextCursor.group(2);
                lastPage = cursor == null;
            }
            for (Map<String, String> item : items) {
                String id = unquote(item.get("execution_id"));
                if (id == null || !sentAt.containsKey(id)) {
                    continue;
                }
                if (!"COMPLETED".equals(unquote(item.get("status")))) {
                    notCompleted++;
                    continue;
                }
                // complete = its end is durable: end_time is when the engine decided it, the start's answer comes
                // once the append holding it committed; an execution that ends in its first append (every task
                // inline) is durable only when the start is answered, so the later of the two counts
                long[] times = sentAt.get(id);
                long endTime = Instant.parse(unquote(item.get("end_time"))).toEpochMilli();
                long answeredMs = (times[1] - times[0]) / 1_000_000; // monotonic: from due to answer
                latencies.add(Math.max(answeredMs, endTime - times[2]));
                Instant end = Instant.ofEpochMilli(Math.max(endTime, times[3]));
                lastEnd = end.isAfter(lastEnd) ? end : lastEnd;
                events += Long.parseLong(item.get("version"));
            }
            if (lastPage) {
                break;
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
        double service = cpu.getOrDefault("harmonia", 0.0);
        if (service > 0) {
            System.out.printf("service CPU  %.3f ms per execution   %.3f ms per task%n", service * 1e3 / n,
                    service * 1e3 / n / tasks);
        }
        StringBuilder split = new StringBuilder();
        StringBuilder byReplica = new StringBuilder();
        cpu.forEach((k, v) -> (k.startsWith(REPLICA) ? byReplica : split)
                .append(String.format("  %s %.2f", k.substring(k.startsWith(REPLICA) ? REPLICA.length() : 0), v)));
        System.out.printf("CPU seconds from first start to last completion:%s%n", split);
        if (byReplica.length() > 0) {
            System.out.printf("service CPU seconds by replica:%s%n", byReplica);
        }
        if (wal > 0) {
            System.out.printf("Postgres WAL written  %.0f bytes per execution%n", (double) wal / n);
        }
        reportRelay();
    }

    /**
     * The run's numbers count an execution when its events are durable in Postgres; publication to Kafka follows
     * behind. This tells how far behind it was at the end and how long it took to catch up (the lag gauge is
     * refreshed every harmonia.kafka.relay.lag-interval, so the time is as coarse as that).
     */
    static void reportRelay() throws Exception {
        Pattern gauge = Pattern.compile("(?m)^harmonia_relay_lag_events\\S*\\s+([0-9.Ee+]+)");
        if (relayLag(gauge) < 0) {
            System.out.println("Kafka relay  not running");
            return;
        }
        // the gauge is refreshed every harmonia.kafka.relay.lag-interval (1 s by default): a reading counts only
        // once a full interval has passed since the run ended
        long t0 = System.nanoTime();
        long deadline = t0 + Duration.ofMinutes(5).toNanos();
        double most = 0;
        while (System.nanoTime() < deadline) {
            double lag = Math.max(0, relayLag(gauge));
            most = Math.max(most, lag);
            if (lag == 0 && System.nanoTime() - t0 > Duration.ofMillis(1100).toNanos()) {
                break;
            }
            Thread.sleep(100);
        }
        long ms = Duration.ofNanos(System.nanoTime() - t0).toMillis();
        System.out.printf("Kafka relay  at most %.0f events behind after the run; %s%n", most,
                System.nanoTime() < deadline ? "all published within " + ms + " ms (gauge refreshed every 1 s)"
                        : "not caught up after 5 minutes");
    }

    /**
     * The relay's lag gauge: the largest over the replicas that report it (each measures the same durable relay
     * cursor, whichever replica publishes, so they differ only by when each last refreshed it), or -1 when none
     * does.
     */
    static double relayLag(Pattern gauge) throws Exception {
        double lag = -1;
        for (Target t : targets) {
            Matcher m = gauge.matcher(get(t, "/q/metrics"));
            if (m.find()) {
                lag = Math.max(lag, Double.parseDouble(m.group(1)));
            }
        }
        return lag;
    }

    /** Prefix of the per-replica service CPU entries of {@link #cpuByProcess} (only with several replicas). */
    static final String REPLICA = "replica ";

    /**
     * CPU seconds used so far by the processes on this machine that the benchmark involves: Harmonia (from its
     * process_cpu_time_ns_total metric, so it also works against a remote service; with several replicas their sum,
     * and each under {@link #REPLICA}), and, read from /proc where it exists, Postgres, the Kafka broker and this
     * load generator.
     */
    static Map<String, Double> cpuByProcess() throws Exception {
        Map<String, Double> out = new TreeMap<>();
        Pattern metric = Pattern.compile("(?m)^process_cpu_time_ns_total\\S*\\s+([0-9.Ee+]+)");
        for (Target t : targets) {
            Matcher m = metric.matcher(get(t, "/q/metrics"));
            if (m.find()) {
                double seconds = Double.parseDouble(m.group(1)) / 1e9;
                out.merge("harmonia", seconds, Double::sum);
                if (targets.size() > 1) {
                    out.put(REPLICA + t, seconds);
                }
            }
        }
        out.put("load-generator", ((com.sun.management.OperatingSystemMXBean) ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime() / 1e9);
        Path proc = Path.of("/proc");
        if (!Files.isDirectory(proc)) {
            return out;
        }
        try (Stream<Path> pids = Files.list(proc)) {
            for (Path p : (Iterable<Path>) pids.filter(p -> p.getFileName().toString().matches("\\d+"))::iterator) {
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    String program = cmd.contains("\0") ? cmd.substring(0, cmd.indexOf('\0')) : cmd;
                    // backends are titled "postgres: ...", the server itself is ".../bin/postgres"
                    String group = program.startsWith("postgres") || program.endsWith("/postgres") ? "postgres"
                            : cmd.contains("EmbeddedKafka") || cmd.contains("kafka.Kafka") ? "kafka" : null;
                    if (group == null) {
                        continue;
                    }
                    String stat = Files.readString(p.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    // utime + stime, and cutime + cstime: the CPU of children that ended (a Postgres backend or
                    // worker that exits during the run moves from its own count into the server's)
                    double seconds = (Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13])
                            + Long.parseLong(f[14])) / 100.0; // USER_HZ
                    out.merge(group, seconds, Double::sum);
                } catch (IOException | RuntimeException gone) {
                    // the process ended while we looked
                }
            }
        }
        return out;
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
        Http.Response r = connection(targets.get(0)).send("POST", "/api/workflows", body);
        if (r.status() != 201) {
            throw new IllegalStateException("workflow creation answered " + r.status() + ": " + r.body());
        }
        return field(r.body(), "workflow_id");
    }

    static String task(String id, String dependsOn) {
        return "{\"id\": \"" + id + "\", \"component\": \"core\", \"action\": \"" + action + "\", \"input\": {"
                + (action.equals("sleep") ? "\"ms\": 0, " : "") + "\"n\": \"${input.n}\"}"
                + (dependsOn.isEmpty() ? "" : ", \"depends_on\": [\"" + dependsOn + "\"]") + "}";
    }

    /** GET from the first replica: any replica answers for every execution. */
    static String get(String path) throws Exception {
        return get(targets.get(0), path);
    }

    static String get(Target target, String path) throws Exception {
        Http.Response r = connection(target).send("GET", path, null);
        if (r.status() != 200) {
            throw new IllegalStateException("GET " + path + " on " + target + " answered " + r.status() + ": "
                    + r.body());
        }
        return r.body();
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : null;
    }

    /**
     * The items of a page ({@code {"items": [{...}, ...], ...}}), each as its top-level fields (name -> raw JSON
     * value): a small scanner, so that this file needs nothing but the JDK.
     */
    static List<Map<String, String>> items(String page) {
        List<Map<String, String>> out = new ArrayList<>();
        int at = page.indexOf('[', page.indexOf("\"items\""));
        while (true) {
            int open = skipSpace(page, at + 1);
            if (page.charAt(open) != '{') {
                return out; // ']' : the end of the list
            }
            Map<String, String> fields = new HashMap<>();
            int i = skipSpace(page, open + 1);
            while (page.charAt(i) != '}') {
                int nameEnd = valueEnd(page, i);
                String name = unquote(page.substring(i, nameEnd));
                int valueStart = skipSpace(page, page.indexOf(':', nameEnd) + 1);
                int end = valueEnd(page, valueStart);
                fields.put(name, page.substring(valueStart, end).trim());
                i = skipSpace(page, end);
                if (page.charAt(i) == ',') {
                    i = skipSpace(page, i + 1);
                }
            }
            out.add(fields);
            at = skipSpace(page, i + 1); // at ',' or ']'
        }
    }

    /** Where the JSON value starting at {@code i} ends (exclusive). */
    static int valueEnd(String s, int i) {
        char c = s.charAt(i);
        if (c == '"') {
            for (int j = i + 1; ; j++) {
                if (s.charAt(j) == '\\') {
                    j++;
                } else if (s.charAt(j) == '"') {
                    return j + 1;
                }
            }
        }
        if (c == '{' || c == '[') {
            int depth = 0;
            for (int j = i; ; j++) {
                char d = s.charAt(j);
                if (d == '"') {
                    j = valueEnd(s, j) - 1;
                } else if (d == '{' || d == '[') {
                    depth++;
                } else if ((d == '}' || d == ']') && --depth == 0) {
                    return j + 1;
                }
            }
        }
        int j = i;
        while (j < s.length() && ",}] \n\r\t".indexOf(s.charAt(j)) < 0) {
            j++;
        }
        return j;
    }

    static int skipSpace(String s, int i) {
        while (Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    static String unquote(String value) {
        return value == null || !value.startsWith("\"") ? null : value.substring(1, value.length() - 1);
    }

    static String numberAfter(String json, String key) {
        Matcher m = Pattern.compile(Pattern.quote(key) + "\\s*(\\d+)").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("expected " + key + " in " + json.substring(0, Math.min(200, json.length())));
        }
        return m.group(1);
    }

    /**
     * A minimal HTTP/1.1 client on one blocking keep-alive socket: the load generator shares the machine with what it
     * measures, so it must cost little (the JDK's HttpClient took most of a core at these rates).
     */
    static final class Http {
        record Response(int status, String body) {}

        private final String host;
        private final int port;
        private Socket socket;
        private InputStream in;
        private OutputStream out;

        Http(Target target) {
            this.host = target.host();
            this.port = target.port();
        }

        Response send(String method, String path, String body) throws IOException {
            for (int attempt = 0; ; attempt++) {
                try {
                    if (socket == null) {
                        socket = new Socket();
                        socket.setTcpNoDelay(true);
                        socket.setSoTimeout(60_000);
                        socket.connect(new InetSocketAddress(host, port), 5_000);
                        in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
                        out = socket.getOutputStream();
                    }
                    byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
                    String head = method + " " + path + " HTTP/1.1\r\nHost: " + host + ":" + port
                            + (body == null ? "" : "\r\nContent-Type: application/json")
                            + "\r\nContent-Length: " + payload.length + "\r\n\r\n";
                    byte[] h = head.getBytes(StandardCharsets.US_ASCII);
                    byte[] request = new byte[h.length + payload.length];
                    System.arraycopy(h, 0, request, 0, h.length);
                    System.arraycopy(payload, 0, request, h.length, payload.length);
                    out.write(request);
                    out.flush();
                    return read();
                } catch (IOException e) {
                    close();
                    if (attempt > 0 || !"GET".equals(method)) {
                        throw e; // a start is never sent twice: it would start a second execution
                    }
                }
            }
        }

        private Response read() throws IOException {
            String status = line();
            int code = Integer.parseInt(status.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            boolean close = false;
            for (String l = line(); !l.isEmpty(); l = line()) {
                int colon = l.indexOf(':');
                String name = l.substring(0, colon).trim().toLowerCase();
                String value = l.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.equalsIgnoreCase("chunked");
                    case "connection" -> close = value.equalsIgnoreCase("close");
                    default -> { }
                }
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if (code / 100 == 1 || code == 204 || code == 304) {
                // no body
            } else if (chunked) {
                for (int size = Integer.parseInt(line().split(";")[0].trim(), 16); size > 0;
                        size = Integer.parseInt(line().split(";")[0].trim(), 16)) {
                    body.write(in.readNBytes(size));
                    line();
                }
                while (!line().isEmpty()) {
                    // trailers
                }
            } else if (length >= 0) {
                body.write(in.readNBytes((int) length));
            } else {
                body.write(in.readAllBytes());
                close = true;
            }
            if (close) {
                close();
            }
            return new Response(code, body.toString(StandardCharsets.UTF_8));
        }

        private String line() throws IOException {
            StringBuilder b = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("connection closed by the server");
                }
                if (c != '\r') {
                    b.append((char) c);
                }
            }
            return b.toString();
        }

        private void close() {
            try {
                if (socket != null) {
                    socket.close();
                }
            } catch (IOException ignored) {
                // closing anyway
            }
            socket = null;
        }
    }
}
