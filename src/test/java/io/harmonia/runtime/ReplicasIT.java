package io.harmonia.runtime;

import static org.awaitility.Awaitility.await;

import io.harmonia.runtime.History.Attempt;
import io.harmonia.runtime.History.TaskRun;
import io.harmonia.runtime.cluster.Partitioning;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * Three replicas of the packaged service on one Postgres and one Kafka broker run 2,000 executions of
 * {@code a -> (b, c) -> d} (every task an asynchronous {@code core.sleep}) started round-robin over their REST ports.
 * One replica is killed with SIGKILL when a third are done, a second gets SIGTERM later. Every execution completes;
 * no task run completes twice; the only task runs with a second attempt are those whose attempt was running in the
 * killed replica's partitions when it died; the SIGTERMed replica exits within its handover timeout and its handover
 * restarts no attempt; the killed replica's executions go on within the lease. Prints the resume times (from the
 * kill to each of the killed replica's executions' next event) and the SIGTERM exit time.
 */
class ReplicasIT {
    static final int EXECUTIONS = Integer.getInteger("replicas-it.executions", 2000);
    static final int STARTS_PER_SECOND = 70;
    static final int PARTITIONS = Integer.getInteger("replicas-it.partitions", 64);
    static final Duration LEASE = Duration.ofSeconds(8); // the default
    static final Duration RENEW = Duration.ofSeconds(2);
    static final Duration HANDOVER_TIMEOUT = Duration.ofSeconds(20);
    /** Slack for a loaded two-core machine on top of each bound the design gives. */
    static final Duration MARGIN = Duration.ofSeconds(5);
    static final String DEFINITION = """
            {"name": "replicas-it", "tasks": [
              {"id": "a", "component": "core", "action": "sleep", "input": {"ms": 300}},
              {"id": "b", "component": "core", "action": "sleep", "input": {"ms": 300}, "depends_on": ["a"]},
              {"id": "c", "component": "core", "action": "sleep", "input": {"ms": 300}, "depends_on": ["a"]},
              {"id": "d", "component": "core", "action": "sleep", "input": {"ms": 300}, "depends_on": ["b", "c"]}]}""";

    static Replicas cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = Replicas.start("replicas-it", Map.of("HARMONIA_CLUSTER_PARTITIONS", String.valueOf(PARTITIONS),
                "HARMONIA_CLUSTER_LEASE", LEASE.toSeconds() + "s",
                "HARMONIA_CLUSTER_RENEW_INTERVAL", RENEW.toSeconds() + "s",
                "HARMONIA_CLUSTER_HANDOVER_TIMEOUT", HANDOVER_TIMEOUT.toSeconds() + "s"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everyExecutionCompletesThroughAKillAndASigtermAndOnlyTheKilledAttemptsRunAgain() throws Exception {
        long begin = System.nanoTime();
        List<Replica> replicas = cluster.launch("r1", "r2", "r3");
        Replica killed = replicas.get(0);
        Replica terminated = replicas.get(1);
        Replica survivor = replicas.get(2);
        cluster.report("3 replicas ready in " + millis(begin) + " ms");
        EventLog log = cluster.events();
        String wf = survivor.createWorkflow(DEFINITION);
        SoftAssertions softly = new SoftAssertions();

        Optional<Map<Integer, String>> ownersAtKill;
        Optional<Map<Integer, String>> ownersAtTerm;
        Instant killedAt;
        Instant terminatedAt;
        Map<String, String> startedOn;
        try (Starts starts = new Starts(wf, "replicas-it", i -> "{\"n\": " + i + "}", EXECUTIONS, replicas)) {
            starts.begin(STARTS_PER_SECOND);
            long loadBegin = System.nanoTime();

            // kill -9 a replica when a third are done
            await("a third of the executions completed").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(200)).until(() -> completed(log, wf) >= EXECUTIONS / 3);
            ownersAtKill = terminated.partitionOwners();
            starts.remove(killed);
            killed.kill9();
            killedAt = log.now();
            long killNanos = System.nanoTime();
            cluster.report("killed r1 (kill -9) " + millis(loadBegin) + " ms into the load, " + completed(log, wf)
                    + " completed; r1 owned " + owned(ownersAtKill, "r1") + " partitions");

            // its partitions are taken over within the lease (when the service tells who owns what)
            if (ownersAtKill.isEmpty()) {
                softly.fail("expected GET /api/cluster to answer 200, found 404: no partition ownership");
            } else {
                Duration bound = LEASE.plus(RENEW).plus(MARGIN);
                try {
                    await("r1's partitions taken over").atMost(bound).pollInterval(Duration.ofMillis(100))
                            .until(() -> survivor.partitionOwners().orElseThrow().values().stream()
                                    .noneMatch("r1"::equals));
                    cluster.report("r1's partitions owned by r2 and r3 " + millis(killNanos) + " ms after the kill");
                } catch (RuntimeException e) {
                    softly.fail("expected r1's partitions taken over within " + bound.toMillis() + " ms of the kill; "
                            + e.getMessage());
                }
            }

            // SIGTERM a second replica when two thirds are done
            await("two thirds of the executions completed").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(200)).until(() -> completed(log, wf) >= 2 * EXECUTIONS / 3);
            ownersAtTerm = terminated.partitionOwners();
            starts.remove(terminated);
            terminatedAt = log.now();
            long termNanos = System.nanoTime();
            cluster.report("SIGTERM to r2 " + millis(loadBegin) + " ms into the load, " + completed(log, wf)
                    + " completed; r2 owned " + owned(ownersAtTerm, "r2") + " partitions");
            try {
                Duration exit = terminated.terminate(HANDOVER_TIMEOUT.plus(MARGIN));
                cluster.report("r2 exited " + exit.toMillis() + " ms after SIGTERM (exit code "
                        + terminated.exitValue() + "; handover timeout " + HANDOVER_TIMEOUT.toMillis() + " ms)");
            } catch (AssertionError e) {
                softly.fail(e.getMessage());
            }

            starts.awaitAll(Duration.ofSeconds(60));
            try {
                await("every execution completed").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                        .until(() -> completed(log, wf) == EXECUTIONS);
                cluster.report("all " + EXECUTIONS + " completed " + millis(loadBegin) + " ms after the first start, "
                        + millis(termNanos) + " ms after the SIGTERM; " + starts.resent()
                        + " starts were sent again to another replica");
            } catch (RuntimeException e) {
                softly.fail("expected every execution COMPLETED; found " + log.statuses(wf) + "; " + e.getMessage());
            }
            startedOn = starts.startedOn();
        }

        History history = log.history();
        Map<String, Long> statuses = log.statuses(wf);
        softly.assertThat(statuses).as("executions by status (no start doubled by a resend)")
                .isEqualTo(Map.of("COMPLETED", (long) EXECUTIONS));
        softly.assertThat(History.brief(history.runsCompletedMoreThanOnce())).as("task runs with more than one TaskCompleted")
                .isEmpty();
        softly.assertThat(History.brief(history.executionsEndedMoreThanOnce())).as("executions with more than one final event")
                .isEmpty();
        softly.assertThat(History.brief(history.attemptsStartedMoreThanOnce())).as("attempts with more than one TaskStarted")
                .isEmpty();

        // the attempts interrupted by the kill: running at the kill in the partitions r1 owned
        Predicate<String> ofKilled = ownedBy(ownersAtKill, "r1", startedOn);
        Set<Attempt> interrupted = history.runningAt(killedAt, ofKilled);
        softly.assertThat(interrupted).as("attempts running in r1's partitions when it was killed").isNotEmpty();
        Map<TaskRun, List<Integer>> several = history.runsWithSeveralAttempts();
        List<String> unexpected = new ArrayList<>();
        several.forEach((run, attempts) -> {
            Attempt first = new Attempt(run.executionId(), run.taskId(), run.run(), 1);
            if (!interrupted.contains(first) || !attempts.equals(List.of(1, 2))) {
                unexpected.add(run + " attempts " + attempts + (interrupted.contains(first) ? " (interrupted)"
                        : " (not running in r1's partitions at the kill)"));
            }
        });
        softly.assertThat(History.brief(unexpected)).as("task runs started again other than once after the kill").isEmpty();
        cluster.report(interrupted.size() + " attempts were running in r1's partitions at the kill; "
                + several.size() + " task runs got a second attempt");

        // the SIGTERMed replica's clean handover restarted nothing
        List<EventLog.Row> restartsAfterTerm = history.restartsFrom(terminatedAt,
                ownedBy(ownersAtTerm, "r2", startedOn));
        softly.assertThat(History.brief(restartsAfterTerm)).as("attempts started again in r2's partitions after its SIGTERM")
                .isEmpty();

        // the killed replica's executions went on within the lease
        Set<String> resumable = history.unfinishedAt(killedAt);
        resumable.removeIf(ofKilled.negate());
        Map<String, Instant> next = history.firstEventsAfter(killedAt);
        List<Long> resumeMillis = new ArrayList<>();
        List<String> neverResumed = new ArrayList<>();
        for (String id : resumable) {
            Instant at = next.get(id);
            if (at == null) {
                neverResumed.add(id);
            } else {
                resumeMillis.add(Duration.between(killedAt, at).toMillis());
            }
        }
        resumeMillis.sort(Long::compare);
        softly.assertThat(History.brief(neverResumed)).as("r1's unfinished executions with no event after the kill").isEmpty();
        if (!resumeMillis.isEmpty()) {
            long max = resumeMillis.get(resumeMillis.size() - 1);
            long median = resumeMillis.get(resumeMillis.size() / 2);
            cluster.report(resumable.size() + " of r1's executions were unfinished at the kill; from the kill to their"
                    + " next event: median " + median + " ms, max " + max + " ms, min " + resumeMillis.get(0)
                    + " ms (lease " + LEASE.toMillis() + " ms, renew " + RENEW.toMillis() + " ms)");
            softly.assertThat(max).as("ms from the kill to the last of r1's executions going on")
                    .isLessThanOrEqualTo(LEASE.plus(RENEW).plus(MARGIN).toMillis());
        }
        cluster.report("test took " + millis(begin) + " ms");
        softly.assertAll();
    }

    /** Executions of the partitions {@code replica} owned; by where they were started when ownership is unknown. */
    static Predicate<String> ownedBy(Optional<Map<Integer, String>> owners, String replica,
            Map<String, String> startedOn) {
        if (owners.isPresent()) {
            Map<Integer, String> o = owners.get();
            return id -> replica.equals(o.get(Partitioning.of(id, PARTITIONS)));
        }
        return id -> replica.equals(startedOn.get(id));
    }

    static String owned(Optional<Map<Integer, String>> owners, String replica) {
        return owners.map(o -> String.valueOf(o.values().stream().filter(replica::equals).count()))
                .orElse("? (no /api/cluster)");
    }

    static long completed(EventLog log, String wf) throws Exception {
        return log.statuses(wf).getOrDefault("COMPLETED", 0L);
    }

    static long millis(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1_000_000;
    }
}
