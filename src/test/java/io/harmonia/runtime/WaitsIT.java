package io.harmonia.runtime;

import static org.awaitility.Awaitility.await;

import io.harmonia.runtime.cluster.Partitioning;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Durable waits ({@code core.wait}) on the packaged service: a wait survives a kill -9 and restart of the only
 * replica, and a change of owner (the owner killed -9, the other replica takes its partitions over once the lease
 * expired); each wait fires once (one TaskStarted and one TaskCompleted of its task), within a second of its due time
 * when a replica owns it then, by the replica that owns it then. Times are Postgres' ({@code recorded_at}).
 */
class WaitsIT {
    static final int PARTITIONS = 16;
    static final int EXECUTIONS = 20;
    static final Duration LEASE = Duration.ofSeconds(3);
    static final Duration RENEW = Duration.ofSeconds(1);
    /** A wait fires this long after it is due at the latest (when its partition is owned then). */
    static final Duration ON_TIME = Duration.ofSeconds(1);
    /** From the start of the waits to their due time: enough for a kill -9 and a restart (or a failover) first. */
    static final Duration RESTART_DUE_IN = Duration.ofSeconds(Long.getLong("waits-it.restart-due-in-s", 25));
    static final Duration FAILOVER_DUE_IN = Duration.ofSeconds(Long.getLong("waits-it.failover-due-in-s", 15));
    static final String WAIT = """
            {"name": "waits-until", "tasks": [
              {"id": "w", "component": "core", "action": "wait", "input": {"until": "${input.until}"}},
              {"id": "after", "component": "core", "action": "echo", "input": "${tasks.w.output}",
               "depends_on": ["w"]}]}""";

    static Map<String, String> env() {
        return Map.of("HARMONIA_CLUSTER_PARTITIONS", String.valueOf(PARTITIONS),
                "HARMONIA_CLUSTER_LEASE", LEASE.toSeconds() + "s",
                "HARMONIA_CLUSTER_RENEW_INTERVAL", RENEW.toSeconds() + "s",
                "HARMONIA_CLUSTER_HANDOVER_TIMEOUT", "5s");
    }

    @Test
    void waitsAcrossARestartOfTheOnlyReplicaFireOnceOnTime() throws Exception {
        try (Replicas cluster = Replicas.start("waits-it-restart", env())) {
            long begin = System.nanoTime();
            Replica r1 = cluster.launch("r1").get(0);
            EventLog log = cluster.events();
            SoftAssertions softly = new SoftAssertions();
            String wf = r1.createWorkflow(WAIT);

            // one group falls due while the replica is down (it fires once when it is back), the other after
            Instant now = log.now().truncatedTo(ChronoUnit.MILLIS);
            Instant dueWhileDown = now.plusSeconds(3);
            Instant dueAfter = now.plus(RESTART_DUE_IN);
            Map<String, String> down = start(wf, "down", dueWhileDown, r1);
            Map<String, String> after = start(wf, "after", dueAfter, r1);
            await("every wait started").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> log.count(wf, "TaskStarted") == 2L * EXECUTIONS);
            softly.assertThat(log.now()).as("the waits started before the first was due").isBefore(dueWhileDown);

            r1.kill9();
            Instant killedAt = log.now();
            long restartNanos = System.nanoTime();
            r1.restart();
            r1.awaitReady(Duration.ofSeconds(60));
            Instant readyAt = log.now();
            cluster.report("r1 killed -9 at " + killedAt + ", ready again in " + ReplicasIT.millis(restartNanos)
                    + " ms (at " + readyAt + "); waits due at " + dueWhileDown + " (while down) and " + dueAfter);
            softly.assertThat(readyAt).as("r1 ready again before the second group is due (raise"
                    + " -Dwaits-it.restart-due-in-s on a slow machine)").isBefore(dueAfter);

            await("every execution completed").atMost(Duration.between(log.now(), dueAfter).plusSeconds(10))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> log.statuses(wf).getOrDefault("COMPLETED", 0L) == 2L * EXECUTIONS);
            History history = log.history();
            List<String> wrong = new ArrayList<>();
            long lateWhileDown = fired(history, down.keySet(), dueWhileDown, readyAt.plus(LEASE).plus(ON_TIME),
                    id -> "", wrong);
            long late = fired(history, after.keySet(), dueAfter, dueAfter.plus(ON_TIME), id -> "", wrong);
            cluster.report("waits due while down fired at most " + lateWhileDown + " ms after due (r1 was down "
                    + Duration.between(killedAt, readyAt).toMillis() + " ms); waits due after the restart at most "
                    + late + " ms after due; test took " + ReplicasIT.millis(begin) + " ms");
            softly.assertThat(History.brief(wrong)).as("waits not fired exactly once, on time").isEmpty();
            softly.assertAll();
        }
    }

    @Test
    void waitsAcrossAnOwnershipChangeFireOnceOnTimeOnTheNewOwner() throws Exception {
        try (Replicas cluster = Replicas.start("waits-it-failover", env())) {
            long begin = System.nanoTime();
            List<Replica> replicas = cluster.launch("r1", "r2");
            Replica killed = replicas.get(0);
            Replica taker = replicas.get(1);
            EventLog log = cluster.events();
            log.trackOrigins();
            SoftAssertions softly = new SoftAssertions();
            taker.awaitOwners("r1", "r2");
            String wf = killed.createWorkflow(WAIT);

            Instant due = log.now().truncatedTo(ChronoUnit.MILLIS).plus(FAILOVER_DUE_IN);
            Map<String, String> startedOn = start(wf, "failover", due, killed, taker);
            await("every wait started").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> log.count(wf, "TaskStarted") == EXECUTIONS);
            Map<Integer, String> owners = taker.partitionOwners().orElseThrow();
            Predicate<String> ofKilled = id -> "r1".equals(owners.get(Partitioning.of(id, PARTITIONS)));
            long inKilled = startedOn.keySet().stream().filter(ofKilled).count();
            softly.assertThat(inKilled).as("waits in r1's partitions (of %d)", EXECUTIONS).isPositive();

            killed.kill9();
            Instant killedAt = log.now();
            await("r2 owns every partition").atMost(LEASE.plus(RENEW).plusSeconds(8))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> taker.partitionOwners().orElseThrow().values().stream().allMatch("r2"::equals));
            Instant takenOverAt = log.now();
            cluster.report("r1 killed -9 at " + killedAt + "; r2 owned every partition "
                    + Duration.between(killedAt, takenOverAt).toMillis() + " ms later; " + inKilled + " of "
                    + EXECUTIONS + " waits in r1's partitions, due at " + due);
            softly.assertThat(takenOverAt).as("the failover ended before the waits were due (raise"
                    + " -Dwaits-it.failover-due-in-s on a slow machine)").isBefore(due);

            await("every execution completed").atMost(Duration.between(log.now(), due).plusSeconds(10))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> log.statuses(wf).getOrDefault("COMPLETED", 0L) == EXECUTIONS);
            History history = log.history();
            List<String> wrong = new ArrayList<>();
            long late = fired(history, startedOn.keySet(), due, due.plus(ON_TIME), id -> "r2", wrong);
            cluster.report("every wait fired at most " + late + " ms after due, by r2; test took "
                    + ReplicasIT.millis(begin) + " ms");
            softly.assertThat(History.brief(wrong)).as("waits not fired exactly once, on time, by r2").isEmpty();
            softly.assertAll();
        }
    }

    /** Starts {@link #EXECUTIONS} waits until {@code due}, round-robin on the replicas; execution id -> replica. */
    private static Map<String, String> start(String wf, String key, Instant due, Replica... on) {
        try (Starts starts = new Starts(wf, "waits-" + key, i -> "{\"until\": \"" + due + "\"}", EXECUTIONS,
                List.of(on))) {
            starts.begin(200).awaitAll(Duration.ofSeconds(30));
            return starts.startedOn();
        }
    }

    /**
     * Checks that each execution's wait started once and completed once, not before {@code due} and not after
     * {@code latest}, by the replica {@code origin} names (empty: any); adds what is wrong to {@code wrong}. Returns
     * the latest completion, in ms after {@code due}.
     */
    private static long fired(History history, Set<String> ids, Instant due, Instant latest,
            java.util.function.Function<String, String> origin, List<String> wrong) {
        Map<String, List<EventLog.Row>> started = byExecution(history, "TaskStarted", ids);
        Map<String, List<EventLog.Row>> completed = byExecution(history, "TaskCompleted", ids);
        long late = 0;
        for (String id : ids) {
            List<EventLog.Row> starts = started.getOrDefault(id, List.of());
            List<EventLog.Row> ends = completed.getOrDefault(id, List.of());
            if (starts.size() != 1 || ends.size() != 1) {
                wrong.add(id + ": wait w started " + starts.size() + " and completed " + ends.size()
                        + " times, expected once each");
                continue;
            }
            EventLog.Row end = ends.get(0);
            if (end.recordedAt().isBefore(due) || end.recordedAt().isAfter(latest)) {
                wrong.add(id + ": wait w completed at " + end.recordedAt() + ", expected between its due time "
                        + due + " and " + latest);
            }
            String expected = origin.apply(id);
            if (!expected.isEmpty() && !expected.equals(end.origin())) {
                wrong.add(id + ": wait w completed by " + end.origin() + ", expected by " + expected);
            }
            late = Math.max(late, Duration.between(due, end.recordedAt()).toMillis());
        }
        return late;
    }

    private static Map<String, List<EventLog.Row>> byExecution(History history, String type, Set<String> ids) {
        return history.ofType(type).stream().filter(r -> "w".equals(r.taskId()) && ids.contains(r.executionId()))
                .collect(Collectors.groupingBy(EventLog.Row::executionId));
    }
}
