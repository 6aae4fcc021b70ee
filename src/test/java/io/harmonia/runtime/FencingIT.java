package io.harmonia.runtime;

import static org.awaitility.Awaitility.await;

import io.harmonia.runtime.History.Attempt;
import io.harmonia.runtime.cluster.Partitioning;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A replica paused (SIGSTOP) past its lease while its tasks are running loses its partitions to the other replica;
 * resumed (SIGCONT), it still holds those executions in memory and its timers are due: its appends are refused
 * (fenced), not applied: nothing it inserted into those executions is recorded after its pause (the harness records
 * which replica's connection inserted each event). Every execution completes exactly once, driven by the replica
 * that took over.
 */
class FencingIT {
    static final int PARTITIONS = 64;
    static final Duration LEASE = Duration.ofSeconds(3);
    static final Duration RENEW = Duration.ofSeconds(1);
    static final Duration MARGIN = Duration.ofSeconds(5);
    static final int EXECUTIONS = 40;
    static final String DEFINITION = """
            {"name": "fencing-it", "tasks": [
              {"id": "nap", "component": "core", "action": "sleep", "input": {"ms": 2000}},
              {"id": "after", "component": "core", "action": "echo", "input": {"n": "${input.n}"},
               "depends_on": ["nap"]}]}""";

    static Replicas cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = Replicas.start("fencing-it", Map.of("HARMONIA_CLUSTER_PARTITIONS", String.valueOf(PARTITIONS),
                "HARMONIA_CLUSTER_LEASE", LEASE.toSeconds() + "s",
                "HARMONIA_CLUSTER_RENEW_INTERVAL", RENEW.toSeconds() + "s",
                "HARMONIA_CLUSTER_HANDOVER_TIMEOUT", "5s",
                // the runtime says in its log what it drove, dropped and was refused (40 executions: a short log)
                "QUARKUS_LOG_CATEGORY__IO_HARMONIA_RUNTIME__LEVEL", "DEBUG"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aReplicaPausedPastItsLeaseHasItsAppendsRefusedOnceResumed() throws Exception {
        long begin = System.nanoTime();
        List<Replica> replicas = cluster.launch("r1", "r2");
        Replica paused = replicas.get(0);
        Replica taker = replicas.get(1);
        EventLog log = cluster.events();
        log.trackOrigins();
        SoftAssertions softly = new SoftAssertions();
        // both replicas own a share before the run (when the service tells who owns what)
        taker.awaitOwners("r1", "r2");
        String wf = paused.createWorkflow(DEFINITION);
        Map<String, String> startedOn;
        try (Starts starts = new Starts(wf, "fencing-it", i -> "{\"n\": " + i + "}", EXECUTIONS, List.of(paused))) {
            starts.begin(200);
            starts.awaitAll(Duration.ofSeconds(30));
            startedOn = starts.startedOn();
        }
        await("every nap started").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> log.count(wf, "TaskStarted") >= EXECUTIONS);

        Optional<Map<Integer, String>> owners = taker.partitionOwners();
        paused.pause(); // SIGSTOP
        Instant pausedAt = log.now();
        long pauseNanos = System.nanoTime();
        Predicate<String> ofPaused = owners.<Predicate<String>>map(o -> id -> "r1".equals(
                o.get(Partitioning.of(id, PARTITIONS)))).orElse(id -> "r1".equals(startedOn.get(id)));
        cluster.report("SIGSTOP r1, which owned " + owners.map(o -> o.values().stream().filter("r1"::equals).count()
                + " partitions").orElse("? partitions (no /api/cluster)"));

        // r2 takes r1's partitions once r1's lease ran out
        Duration bound = LEASE.plus(RENEW).plus(MARGIN);
        try {
            await("r2 owns every partition").atMost(bound).pollInterval(Duration.ofMillis(100)).until(() -> taker
                    .partitionOwners().orElseThrow(() -> new AssertionError("no /api/cluster")).values().stream()
                    .allMatch("r2"::equals));
            cluster.report("r2 owned every partition " + ReplicasIT.millis(pauseNanos) + " ms after the SIGSTOP");
        } catch (RuntimeException | AssertionError e) {
            softly.fail("expected r2 to own every partition within " + bound.toMillis() + " ms of r1's SIGSTOP; "
                    + e.getMessage());
            // without ownership there is nothing to take over: give the lease time to pass anyway
            await().atMost(bound.plusSeconds(1)).pollInterval(Duration.ofMillis(200))
                    .until(() -> System.nanoTime() - pauseNanos > bound.toNanos());
        }
        Instant takenAt = log.now();
        paused.resume(); // SIGCONT: r1's naps are long due, it still holds their executions
        long resumeNanos = System.nanoTime();

        try {
            await("every execution completed").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> ReplicasIT.completed(log, wf) == EXECUTIONS);
            cluster.report("all completed " + ReplicasIT.millis(resumeNanos) + " ms after the SIGCONT");
        } catch (RuntimeException e) {
            softly.fail("expected every execution COMPLETED; found " + log.statuses(wf) + "; " + e.getMessage());
        }
        try {
            await("r1 counts refused appends").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
                    .until(() -> paused.metric("harmonia_ownership_fenced_total") > 0);
        } catch (RuntimeException e) {
            softly.fail("expected harmonia_ownership_fenced_total > 0 on r1 after its SIGCONT, found "
                    + paused.metric("harmonia_ownership_fenced_total") + " (NaN: no such metric)");
        }
        cluster.report("r1 harmonia_ownership_fenced_total " + paused.metric("harmonia_ownership_fenced_total")
                + ", harmonia_partitions_owned " + paused.metric("harmonia_partitions_owned"));

        History history = log.history();
        softly.assertThat(history.rows().stream().filter(r -> "r1".equals(r.origin())).count())
                .as("events recorded as inserted by r1 (the harness tells who inserted each event)").isPositive();
        List<EventLog.Row> lateFromPaused = history.rows().stream().filter(r -> "r1".equals(r.origin())
                && ofPaused.test(r.executionId()) && r.recordedAt().isAfter(pausedAt)).toList();
        softly.assertThat(History.brief(lateFromPaused)).as("events r1 appended to the executions of the partitions it"
                + " lost, recorded after its SIGSTOP (they must have been refused)").isEmpty();
        Set<Attempt> stale = history.runningAt(pausedAt, ofPaused);
        softly.assertThat(stale).as("attempts running in r1's partitions when it was paused").isNotEmpty();
        Map<Attempt, String> endedBy = new java.util.HashMap<>();
        history.rows().stream().filter(r -> History.ATTEMPT_ENDS.contains(r.type()) && r.attempt() != null)
                .forEach(r -> endedBy.put(new Attempt(r.executionId(), r.taskId(), r.run(), r.attempt()),
                        r.origin()));
        long restarted = stale.stream().filter(a -> !endedBy.containsKey(a)).count();
        long endedByTaker = stale.stream().filter(a -> "r2".equals(endedBy.get(a))).count();
        cluster.report("of the " + stale.size() + " attempts running in r1's partitions at its SIGSTOP, r2 ended "
                + endedByTaker + " itself (a core.sleep whose wait had not passed survives its driver) and started "
                + restarted + " again; " + lateFromPaused.size() + " events of r1 recorded after the SIGSTOP");
        softly.assertThat(History.brief(history.runsCompletedMoreThanOnce())).as("task runs with more than one TaskCompleted")
                .isEmpty();
        softly.assertThat(History.brief(history.executionsEndedMoreThanOnce())).as("executions with more than one final event")
                .isEmpty();
        softly.assertThat(History.brief(history.attemptsStartedMoreThanOnce())).as("attempts with more than one TaskStarted")
                .isEmpty();
        cluster.report("test took " + ReplicasIT.millis(begin) + " ms");
        softly.assertAll();
    }
}
