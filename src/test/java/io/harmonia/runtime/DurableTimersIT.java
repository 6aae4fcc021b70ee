package io.harmonia.runtime;

import static org.awaitility.Awaitility.await;

import io.harmonia.runtime.cluster.Partitioning;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Timers are durable rows, not only in-heap: 10,000 executions waiting on a retry an hour away are not held in
 * memory (the heap after a full GC barely grows), and a retry that falls due on a replica that has just taken the
 * partition over from a killed one fires once, there.
 */
class DurableTimersIT {
    static final int PARTITIONS = 64;
    static final int WAITING = Integer.getInteger("durable-timers-it.executions", 10_000);
    /** Executions held in memory that still count as "near 0" once 10,000 wait on far timers. */
    static final int HOT_BOUND = 100;
    /**
     * Heap growth after a full GC allowed for 10,000 waiting executions: 5 MiB, about 500 bytes each, a third of what
     * holding them costs. The one-replica runtime before issue 10, which holds every waiting execution in memory,
     * grew by 13.8 MiB here (1,447 bytes each); the partitioned runtime with durable timers by 2.6 MiB (273 bytes).
     */
    static final long HEAP_GROWTH_BOUND = 5L * 1024 * 1024;
    static final String WAIT_AN_HOUR = """
            {"name": "waits-an-hour", "tasks": [
              {"id": "flaky", "component": "core", "action": "fail", "input": {"error_type": "SERVER_ERROR"},
               "retry": {"max_attempts": 2, "initial_delay_ms": 3600000, "max_delay_ms": 3600000,
                         "jitter": false}}]}""";
    static final String WARM_UP = """
            {"name": "warm-up", "tasks": [
              {"id": "a", "component": "core", "action": "echo", "input": {"n": "${input.n}"}},
              {"id": "b", "component": "core", "action": "sleep", "input": {"ms": 10}, "depends_on": ["a"]}]}""";

    @Test
    void tenThousandExecutionsWaitingAnHourAwayKeepTheHeapFlat() throws Exception {
        try (Replicas cluster = Replicas.start("durable-timers-it-heap", Map.of(
                "HARMONIA_CLUSTER_PARTITIONS", String.valueOf(PARTITIONS)))) {
            long begin = System.nanoTime();
            Replica r1 = cluster.launch("r1").get(0);
            EventLog log = cluster.events();
            SoftAssertions softly = new SoftAssertions();

            // warm up the paths the measured executions take, so that what they load once is in the baseline
            String warm = r1.createWorkflow(WARM_UP);
            String waits = r1.createWorkflow(WAIT_AN_HOUR);
            try (Starts starts = new Starts(warm, "warm-up", i -> "{\"n\": " + i + "}", 500, List.of(r1))) {
                starts.begin(500).awaitAll(Duration.ofSeconds(60));
            }
            try (Starts starts = new Starts(waits, "warm-up-waits", i -> "{}", 20, List.of(r1))) {
                starts.begin(100).awaitAll(Duration.ofSeconds(60));
            }
            await("warm-up done").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> ReplicasIT.completed(log, warm) == 500
                            && log.count(waits, "TaskRetryScheduled") == 20);
            Measure before = measure(r1);
            cluster.report("before: heap used after full GC " + mb(before.heap()) + " MB, executions hot "
                    + before.hot());

            long startNanos = System.nanoTime();
            try (Starts starts = new Starts(waits, "waits", i -> "{}", WAITING, List.of(r1))) {
                starts.begin(1000).awaitAll(Duration.ofSeconds(180));
            }
            await("every retry scheduled").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> log.count(waits, "TaskRetryScheduled") == WAITING + 20);
            cluster.report(WAITING + " executions waiting on a retry an hour away after "
                    + ReplicasIT.millis(startNanos) + " ms");
            try {
                await("waiting executions leave the memory").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> r1.metric("harmonia_executions_hot") <= HOT_BOUND);
            } catch (RuntimeException e) {
                softly.fail("expected harmonia_executions_hot <= " + HOT_BOUND + " within 60 s, found "
                        + r1.metric("harmonia_executions_hot") + " (NaN: no such metric)");
            }
            Measure after = measure(r1);
            long growth = after.heap() - before.heap();
            cluster.report("after: heap used after full GC " + mb(after.heap()) + " MB (growth " + mb(growth)
                    + " MB, " + growth / WAITING + " bytes per waiting execution), executions hot " + after.hot()
                    + "; test took " + ReplicasIT.millis(begin) + " ms");
            softly.assertThat(after.hot()).as("executions held in memory (harmonia_executions_hot)")
                    .isLessThanOrEqualTo(HOT_BOUND);
            softly.assertThat(growth).as("heap growth after a full GC, bytes, for %d waiting executions", WAITING)
                    .isLessThanOrEqualTo(HEAP_GROWTH_BOUND);
            softly.assertAll();
        }
    }

    @Test
    void aRetryDueOnAReplicaThatJustTookThePartitionOverFiresOnce() throws Exception {
        Duration lease = Duration.ofSeconds(3);
        Duration renew = Duration.ofSeconds(1);
        Duration margin = Duration.ofSeconds(5);
        int executions = 20;
        try (Replicas cluster = Replicas.start("durable-timers-it-takeover", Map.of(
                "HARMONIA_CLUSTER_PARTITIONS", String.valueOf(PARTITIONS),
                "HARMONIA_CLUSTER_LEASE", lease.toSeconds() + "s",
                "HARMONIA_CLUSTER_RENEW_INTERVAL", renew.toSeconds() + "s",
                "HARMONIA_CLUSTER_HANDOVER_TIMEOUT", "5s"))) {
            long begin = System.nanoTime();
            List<Replica> replicas = cluster.launch("r1", "r2");
            Replica killed = replicas.get(0);
            Replica taker = replicas.get(1);
            EventLog log = cluster.events();
            log.trackOrigins();
            SoftAssertions softly = new SoftAssertions();
            taker.awaitOwners("r1", "r2");
            String wf = killed.createWorkflow("""
                    {"name": "retry-at-takeover", "tasks": [
                      {"id": "flaky", "component": "core", "action": "fail", "input": {"error_type": "SERVER_ERROR"},
                       "retry": {"max_attempts": 2, "initial_delay_ms": 6000, "jitter": false}}]}""");
            Map<String, String> startedOn;
            try (Starts starts = new Starts(wf, "retry-at-takeover", i -> "{}", executions, replicas)) {
                starts.begin(100).awaitAll(Duration.ofSeconds(30));
                startedOn = starts.startedOn();
            }
            await("every retry scheduled").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> log.count(wf, "TaskRetryScheduled") == executions);
            Optional<Map<Integer, String>> owners = taker.partitionOwners();
            Predicate<String> ofKilled = owners.<Predicate<String>>map(o -> id -> "r1".equals(
                    o.get(Partitioning.of(id, PARTITIONS)))).orElse(id -> "r1".equals(startedOn.get(id)));
            Map<String, Instant> due = log.retryDueAt(wf);
            Instant firstDue = due.entrySet().stream().filter(e -> ofKilled.test(e.getKey())).map(Map.Entry::getValue)
                    .min(Instant::compareTo).orElseThrow(() -> new AssertionError("expected some of the " + executions
                            + " executions in r1's partitions, found none (owners " + owners + ")"));

            // kill -9 r1 one second before its first retry falls due
            await("one second before r1's first retry").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(20)).until(() -> !log.now().isBefore(firstDue.minusSeconds(1)));
            killed.kill9();
            Instant killedAt = log.now();
            try {
                await("every execution failed after its retry").atMost(lease.plus(renew).plus(margin).plusSeconds(6))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> log.statuses(wf).getOrDefault("FAILED", 0L) == executions);
            } catch (RuntimeException e) {
                softly.fail("expected every execution FAILED after its second attempt; found " + log.statuses(wf)
                        + "; " + e.getMessage());
            }
            History history = log.history();
            Map<String, List<Integer>> attempts = history.ofType("TaskStarted").stream().collect(Collectors
                    .groupingBy(EventLog.Row::executionId, Collectors.mapping(EventLog.Row::attempt,
                            Collectors.toList())));
            Map<String, Long> retries = history.ofType("TaskRetryScheduled").stream().collect(Collectors
                    .groupingBy(EventLog.Row::executionId, Collectors.counting()));
            long maxLateMillis = 0;
            List<String> wrong = new ArrayList<>();
            for (String id : due.keySet()) {
                String where = ofKilled.test(id) ? " (r1's partition)" : " (r2's partition)";
                if (retries.get(id) != 1L) {
                    wrong.add(id + where + ": " + retries.get(id) + " TaskRetryScheduled, expected 1");
                }
                if (!List.of(1, 2).equals(attempts.get(id))) {
                    wrong.add(id + where + ": attempts started " + attempts.get(id) + ", expected [1, 2]");
                }
                Optional<EventLog.Row> second = history.ofType("TaskStarted").stream()
                        .filter(r -> r.executionId().equals(id) && r.attempt() == 2).findFirst();
                if (second.isPresent()) {
                    Instant fired = second.get().recordedAt();
                    if (fired.isBefore(due.get(id).minusMillis(50))) {
                        wrong.add(id + where + ": retry started at " + fired + ", before it was due at " + due.get(id));
                    }
                    if (ofKilled.test(id)) {
                        if (!fired.isAfter(killedAt) || !"r2".equals(second.get().origin())) {
                            wrong.add(id + where + ": retry started at " + fired + " by " + second.get().origin()
                                    + ", expected after the kill at " + killedAt + ", by r2");
                        }
                        maxLateMillis = Math.max(maxLateMillis, Duration.between(due.get(id), fired).toMillis());
                    }
                }
            }
            softly.assertThat(History.brief(wrong)).as("retries not fired exactly once, when due").isEmpty();
            long inKilled = due.keySet().stream().filter(ofKilled).count();
            cluster.report(inKilled + " of " + executions + " retries were due in r1's partitions after its kill;"
                    + " the latest fired " + maxLateMillis + " ms after it was due (lease " + lease.toMillis()
                    + " ms)");
            softly.assertThat(maxLateMillis).as("ms from due to fired, worst of r1's retries")
                    .isLessThanOrEqualTo(lease.plus(renew).plus(margin).toMillis());

            // r1 comes back: it takes a share again and fires nothing twice
            long restartNanos = System.nanoTime();
            killed.restart();
            killed.awaitReady(Duration.ofSeconds(60));
            cluster.report("r1 restarted and ready in " + ReplicasIT.millis(restartNanos) + " ms; test took "
                    + ReplicasIT.millis(begin) + " ms");
            try {
                await("nothing fires again once r1 is back").during(Duration.ofSeconds(3))
                        .atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(500))
                        .until(() -> log.count(wf, "TaskStarted") == 2L * executions);
            } catch (RuntimeException e) {
                softly.fail("expected the " + 2 * executions + " TaskStarted to stay as they were for 3 s once r1"
                        + " was back; they changed, now " + log.count(wf, "TaskStarted") + "; " + e.getMessage());
            }
            softly.assertAll();
        }
    }

    record Measure(long heap, double hot) {}

    /** Heap used after a full GC (jcmd GC.run) and the executions held in memory. */
    static Measure measure(Replica r) throws Exception {
        r.forceGc();
        return new Measure((long) r.metric("jvm_memory_used_bytes", "area=\"heap\""),
                r.metric("harmonia_executions_hot"));
    }

    static String mb(long bytes) {
        return String.format("%.1f", bytes / 1024.0 / 1024.0);
    }
}
