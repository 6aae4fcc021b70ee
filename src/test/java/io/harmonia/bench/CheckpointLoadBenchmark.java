package io.harmonia.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.domain.TestDefinitions;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.ExecutionCommand;
import io.harmonia.domain.execution.ExecutionDecider;
import io.harmonia.domain.execution.ExecutionEvent;
import io.harmonia.domain.execution.ExecutionEvolver;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.domain.execution.ExecutionStatus;
import io.harmonia.domain.execution.Limits;
import io.harmonia.eventstore.PgEventStore;
import io.harmonia.eventstore.StreamIds;
import io.harmonia.projection.executions.ExecutionLoader;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The load time of an execution of 20,000+ events, with and without automatic checkpoints (issue 11). Not a test:
 * its name keeps it out of the normal test run, it asserts only that the loads agree. Run it with
 * {@code bench/checkpoint-load.sh} (or {@code ./mvnw -q test -Dtest=CheckpointLoadBenchmark}); it prints the numbers
 * and writes them to {@code target/checkpoint-load-bench.txt}.
 *
 * <p>Two shapes, each written twice by the engine's own decider (every task completing at once) and appended to the
 * test profile's Postgres in batches: once with {@code checkpoint-every-events = 500}, once with checkpoints off.
 * <ul>
 *   <li>wide: a chain of {@code bench.tasks} core.echo tasks (7,000 by default: 21,002 events), run to completion;
 *       each checkpoint holds every task reached so far, so they grow with the execution;</li>
 *   <li>narrow: one sleeping task and {@code bench.updates} state updates (20,000 by default: 20,003 events); each
 *       checkpoint is small.</li>
 * </ul>
 * Then {@code ExecutionLoader.load(id, LATEST)} (what the engine does for an execution not in memory, and the
 * projector for a rebuild) is timed {@code bench.rounds} times for each, interleaved, after a warm-up; and folding
 * the checkpointed stream from its first event (what reading the whole history costs once it holds checkpoints).
 */
@QuarkusTest
class CheckpointLoadBenchmark {

    @Inject
    PgEventStore store;

    @Inject
    Pool pool;

    @Inject
    ExecutionLoader loader;

    @Test
    void loadTimeWithAndWithoutCheckpoints() throws Exception {
        int tasks = Integer.getInteger("bench.tasks", 7_000);
        int updates = Integer.getInteger("bench.updates", 20_000);
        int rounds = Integer.getInteger("bench.rounds", 30);
        StringBuilder out = new StringBuilder();
        WorkflowDefinition chain = TestDefinitions.workflow(CoreBenchmark.largeWorkflow("chain", tasks));
        out.append(scenario(String.format("a chain of %,d core.echo tasks, run to completion", tasks), rounds,
                every -> {
                    String id = UUID.randomUUID().toString();
                    writeChain(id, chain, every);
                    return id;
                }, s -> s.status() == ExecutionStatus.COMPLETED && s.tasks().size() == tasks));
        WorkflowDefinition nap = TestDefinitions.workflow("{'name': 'nap', 'tasks': [{'id': 'nap',"
                + " 'component': 'core', 'action': 'sleep', 'input': {'ms': 60000}}]}");
        out.append(scenario(String.format("one sleeping task and %,d state updates", updates), rounds, every -> {
            String id = UUID.randomUUID().toString();
            writeStateUpdates(id, nap, every, updates);
            return id;
        }, s -> s.status() == ExecutionStatus.RUNNING && s.stateData().version() == updates));
        out.append(String.format("machine: %d processors, %s, Java %s, load average %.2f at the end%n",
                Runtime.getRuntime().availableProcessors(), cpuModel(), System.getProperty("java.version"),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        System.out.print(out);
        Files.writeString(Path.of("target", "checkpoint-load-bench.txt"), out);
    }

    /** Writes the execution with checkpoints every 500 events and without, then times the loads, interleaved. */
    private String scenario(String name, int rounds, java.util.function.IntFunction<String> write,
            java.util.function.Predicate<ExecutionState> loaded) throws Exception {
        String with = write.apply(500);
        String without = write.apply(0);
        String[] names = {"load, checkpoints every 500 events", "load, no checkpoints",
            "fold every event of the checkpointed stream"};
        List<Load> loads = List.of(() -> loader.load(with, ExecutionLoader.LATEST),
                () -> loader.load(without, ExecutionLoader.LATEST),
                () -> loader.foldFrom(with, ExecutionState.initial(), ExecutionLoader.LATEST));
        long[][] nanos = new long[3][rounds];
        for (int warm = 0; warm < 5; warm++) {
            for (Load load : loads) {
                time(load);
            }
        }
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < 3; i++) {
                nanos[i][r] = time(loads.get(i));
            }
        }
        for (Load load : loads) {
            ExecutionState s = load.run().await().indefinitely();
            if (!loaded.test(s)) {
                throw new AssertionError("Expected every load of " + name + " to give the whole execution, found "
                        + s.status() + " with " + s.tasks().size() + " tasks at version " + s.version());
            }
        }
        StringBuilder out = new StringBuilder();
        out.append(String.format("%s: %,d events with checkpoints (every 500), %,d without; %d rounds after 5"
                + " warm-up rounds%n", name, length(with), length(without), rounds));
        for (int i = 0; i < 3; i++) {
            long[] n = nanos[i].clone();
            Arrays.sort(n);
            out.append(String.format("  %-46s median %8.1f ms   p95 %8.1f ms   min %8.1f ms%n", names[i],
                    n[n.length / 2] / 1e6, n[(int) Math.ceil(n.length * 0.95) - 1] / 1e6, n[0] / 1e6));
        }
        out.append(String.format("  stored JSON: %,d bytes with checkpoints (%,d of them in %d checkpoints, the"
                + " largest %,d), %,d without%n", bytes(with, null), bytes(with, "CheckpointCreated"),
                checkpoints(with), largest(with), bytes(without, null)));
        return out.toString();
    }

    interface Load {
        io.smallrye.mutiny.Uni<ExecutionState> run();
    }

    private static long time(Load load) {
        long t0 = System.nanoTime();
        ExecutionState s = load.run().await().atMost(Duration.ofMinutes(2));
        long took = System.nanoTime() - t0;
        if (!s.exists()) {
            throw new AssertionError("Expected an execution, found none");
        }
        return took;
    }

    /** Decides a whole execution with checkpoints every {@code every} events (0: none) and appends its events. */
    private void writeChain(String id, WorkflowDefinition wf, int every) {
        ExecutionDecider decider = new ExecutionDecider(TestDefinitions.CEL,
                Limits.defaults().withCheckpointEveryEvents(every));
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        JsonNode output = TestDefinitions.json("{'n': 1}");
        ArrayDeque<ExecutionEvent.TaskStarted> started = new ArrayDeque<>();
        ExecutionState s = ExecutionState.initial();
        ExecutionCommand command = new ExecutionCommand.Start(id, TestDefinitions.json("{'n': 1}"), now);
        List<ExecutionEvent> batch = new ArrayList<>();
        long appended = 0;
        while (true) {
            List<ExecutionEvent> events = decider.decide(command, s, wf);
            s = ExecutionEvolver.fold(s, events);
            batch.addAll(events);
            events.stream().filter(ExecutionEvent.TaskStarted.class::isInstance)
                    .map(ExecutionEvent.TaskStarted.class::cast).forEach(started::add);
            if (batch.size() >= 1_000 || s.status().terminal()) {
                appended = append(id, appended, batch);
            }
            if (s.status().terminal()) {
                return;
            }
            ExecutionEvent.TaskStarted next = started.poll();
            now = now.plusMillis(1);
            command = new ExecutionCommand.CompleteTask(next.taskId(), next.run(), next.attempt(), output, now);
        }
    }

    /** Starts the execution (its one task keeps running) and changes its state {@code updates} times. */
    private void writeStateUpdates(String id, WorkflowDefinition wf, int every, int updates) {
        ExecutionDecider decider = new ExecutionDecider(TestDefinitions.CEL,
                Limits.defaults().withCheckpointEveryEvents(every));
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        ExecutionState s = ExecutionState.initial();
        List<ExecutionEvent> batch = new ArrayList<>();
        long appended = 0;
        ExecutionCommand command = new ExecutionCommand.Start(id, TestDefinitions.json("{}"), now);
        for (int i = 1; i <= updates + 1; i++) {
            List<ExecutionEvent> events = decider.decide(command, s, wf);
            s = ExecutionEvolver.fold(s, events);
            batch.addAll(events);
            if (batch.size() >= 1_000 || i == updates + 1) {
                appended = append(id, appended, batch);
            }
            now = now.plusMillis(1);
            command = new ExecutionCommand.UpdateState(TestDefinitions.json("{'counter': " + i + ", 'note': 'update "
                    + i + "'}"), false, null, now);
        }
    }

    /** Appends {@code batch} to the stream at {@code version}, empties it, and returns the new version. */
    private long append(String id, long version, List<ExecutionEvent> batch) {
        List<ExecutionEvent> rows = List.copyOf(batch);
        pool.withTransaction(tx -> store.append(tx, StreamIds.execution(id), version, rows))
                .await().atMost(Duration.ofMinutes(1));
        batch.clear();
        return version + rows.size();
    }

    private long length(String id) {
        return stat("select count(*) from events where stream_id = $1", id);
    }

    private long bytes(String id, String type) {
        return stat("select coalesce(sum(octet_length(payload::text)), 0) from events where stream_id = $1"
                + (type == null ? "" : " and event_type = '" + type + "'"), id);
    }

    private long checkpoints(String id) {
        return stat("select count(*) from events where stream_id = $1 and event_type = 'CheckpointCreated'", id);
    }

    private long largest(String id) {
        return stat("select coalesce(max(octet_length(payload::text)), 0) from events where stream_id = $1"
                + " and event_type = 'CheckpointCreated'", id);
    }

    private long stat(String sql, String id) {
        return pool.preparedQuery(sql).execute(io.vertx.mutiny.sqlclient.Tuple.of(StreamIds.execution(id)))
                .await().atMost(Duration.ofMinutes(1)).iterator().next().getLong(0);
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
        } catch (Exception e) {
            return "unknown CPU";
        }
    }
}
