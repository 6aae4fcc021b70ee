package io.harmonia.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.runtime.cluster.Partitioning;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Replay and re-run across two replicas of the packaged service (one Postgres, one broker):
 * <ul>
 *   <li>a re-run appended by the replica that does not own the execution's partition has its attempts sent by the
 *       owner at once (the owner hears of the append from the feed, not from the timer scan, which is set to take
 *       five minutes here), and a late result of the old run is ignored;</li>
 *   <li>a bulk replay of 200 executions survives a kill -9 of the replica running it: the other replica resumes the
 *       job once its lease passed, the killed one comes back, and every source has exactly one replay;</li>
 *   <li>a replica stopped with SIGTERM gives its job's lease up: the other resumes it before the lease passes.</li>
 * </ul>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplayReplicasIT {
    static final int PARTITIONS = 8;
    static final int SOURCES = 200;
    static final Duration JOB_LEASE = Duration.ofSeconds(4);
    static final String SLEEPY = """
            {"name": "rerun-it", "tasks": [
              {"id": "a", "component": "core", "action": "echo", "input": {"v": 1}},
              {"id": "b", "component": "core", "action": "sleep", "input": {"ms": 1500}, "depends_on": ["a"]}]}""";
    static final String QUICK = """
            {"name": "bulk-it", "tasks": [{"id": "a", "component": "core", "action": "echo", "input": "${input}"}]}""";

    static Replicas cluster;
    static Replica r1;
    static Replica r2;

    @BeforeAll
    static void start() throws Exception {
        cluster = Replicas.start("replay-it", Map.of("HARMONIA_CLUSTER_PARTITIONS", String.valueOf(PARTITIONS),
                "HARMONIA_CLUSTER_LEASE", "6s", "HARMONIA_CLUSTER_RENEW_INTERVAL", "2s",
                // the timer scan would take an undriven execution up only after this: not what is tested here
                "HARMONIA_RUNTIME_IDLE_BEFORE_TAKE_UP", "300s",
                "HARMONIA_HISTORY_BULK_RATE", "25", "HARMONIA_HISTORY_BULK_JOB_LEASE", JOB_LEASE.toSeconds() + "s",
                "HARMONIA_HISTORY_BULK_POLL_INTERVAL", "500ms"));
        List<Replica> both = cluster.launch("r1", "r2");
        r1 = both.get(0);
        r2 = both.get(1);
        r1.awaitOwners("r1", "r2");
        cluster.events().trackOrigins();
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void aReRunAppendedByANonOwnerIsSentAtOnceByTheOwnerAndTheOldRunsLateResultIsIgnored() throws Exception {
        String wf = r1.createWorkflow(SLEEPY);
        Map<Integer, String> owners = r1.partitionOwners().orElseThrow();
        // an execution r2 owns (a replica starts executions in its own partitions), then changed through r1 only
        String id = null;
        for (int i = 0; id == null && i < 50; i++) {
            String candidate = r2.startExecution(wf, "{}", "rerun-it-" + i);
            if ("r2".equals(owners.get(Partitioning.of(candidate, PARTITIONS)))) {
                id = candidate;
            }
        }
        assertThat(id).as("an execution owned by r2").isNotNull();
        String execution = id;
        await().atMost(Duration.ofSeconds(10)).until(() -> "RUNNING".equals(task(execution, "b").path("status")
                .asText()));

        // cancel while b's run 1 sleeps in r2, then re-run from b at once: run 1's result comes back later
        assertThat(r1.post("/api/executions/" + id + "/cancel", "{}", Map.of()).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> "CANCELED".equals(view(execution).path("status").asText()));
        Instant rerunAt = cluster.events().now();
        Replica.Answer rerun = r1.post("/api/executions/" + id + "/rerun", "{\"from_task\": \"b\"}", Map.of());
        assertThat(rerun.status()).as(rerun.body()).isEqualTo(200);
        assertThat(rerun.json().path("status").asText()).isEqualTo("RUNNING");

        // run 2 sleeps 1.5 s from when r2 sends it: done well before the 300 s the timer scan would wait
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> "COMPLETED".equals(view(execution).path("status").asText()));
        History history = cluster.events().history();
        List<EventLog.Row> rows = history.rows().stream().filter(r -> r.executionId().equals(execution)).toList();
        EventLog.Row rerunEvent = rows.stream().filter(r -> r.type().equals("ExecutionRerun")).findFirst()
                .orElseThrow();
        EventLog.Row started2 = rows.stream().filter(r -> r.type().equals("TaskStarted") && "b".equals(r.taskId())
                && r.run() == 2).findFirst().orElseThrow();
        List<EventLog.Row> completedB = rows.stream().filter(r -> r.type().equals("TaskCompleted")
                && "b".equals(r.taskId())).toList();
        assertThat(rerunEvent.origin()).as("the re-run is appended by r1, which does not own it").isEqualTo("r1");
        assertThat(started2.origin()).isEqualTo("r1");
        // r2, the owner, sent run 2 and recorded its result; run 1's late result changed nothing
        assertThat(completedB).hasSize(1);
        assertThat(completedB.get(0).run()).isEqualTo(2);
        assertThat(completedB.get(0).origin()).isEqualTo("r2");
        Duration took = Duration.between(rerunAt, completedB.get(0).recordedAt());
        cluster.report("re-run through the non-owner: run 2 of a 1.5 s sleep completed " + took.toMillis()
                + " ms after the re-run request");
        assertThat(took).isLessThan(Duration.ofSeconds(6));
        assertThat(view(execution).path("task_executions").path("a").path("run").asInt()).isEqualTo(1);
    }

    @Test
    @Order(2)
    void aBulkReplayResumesAfterItsRunnerIsKilledAndReplaysEverySourceExactlyOnce() throws Exception {
        String wf = r1.createWorkflow(QUICK);
        List<String> sources = new ArrayList<>();
        for (int i = 0; i < SOURCES; i++) {
            sources.add((i % 2 == 0 ? r1 : r2).startExecution(wf, "{\"n\": " + i + "}", "bulk-it-" + i));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> completed(wf) >= SOURCES);

        Replica.Answer created = r1.post("/api/executions/replay", "{\"filter\": {\"workflow_id\": \"" + wf
                + "\", \"status\": \"COMPLETED\"}, \"mode\": \"replay\", \"max\": " + SOURCES + "}", Map.of());
        assertThat(created.status()).as(created.body()).isEqualTo(202);
        String job = created.json().path("job_id").asText();
        assertThat(created.json().path("matched").asInt()).isEqualTo(SOURCES);

        // kill -9 whichever replica runs it, a quarter of the way through
        JsonNode[] seen = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            seen[0] = r1.get("/api/jobs/" + job).json();
            return seen[0].path("done").asInt() >= SOURCES / 4 && !seen[0].path("owner").isNull();
        });
        Replica runner = cluster.get(seen[0].path("owner").asText());
        Replica other = runner == r1 ? r2 : r1;
        runner.kill9();
        long killed = System.nanoTime();
        int doneAtKill = other.get("/api/jobs/" + job).json().path("done").asInt();
        cluster.report("killed " + runner.id + " (running bulk job) with " + doneAtKill + " of " + SOURCES
                + " done");

        // the other replica resumes it once the lease passed; the killed one comes back meanwhile
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> other.id.equals(other.get("/api/jobs/" + job).json().path("owner").asText()));
        cluster.report(other.id + " resumed the job " + (System.nanoTime() - killed) / 1_000_000
                + " ms after the kill (lease " + JOB_LEASE.toMillis() + " ms)");
        runner.restart();
        runner.awaitReady(Duration.ofSeconds(120));
        JsonNode done = awaitJob(other, job, "COMPLETED");
        assertThat(done.path("done").asInt()).isEqualTo(SOURCES);
        assertThat(done.path("failed").asInt()).isZero();
        assertThat(done.path("skipped").asInt()).isZero();

        // every source replayed exactly once: one ExecutionStarted with replay_of per source, no other
        Map<String, Integer> replays = new HashMap<>();
        try (Connection c = cluster.jdbc(); ResultSet rs = c.createStatement().executeQuery(
                "select payload->>'replay_of', count(*) from events where event_type = 'ExecutionStarted'"
                        + " and payload->>'replay_of' is not null group by 1")) {
            while (rs.next()) {
                replays.put(rs.getString(1), rs.getInt(2));
            }
        }
        assertThat(replays.keySet()).containsExactlyInAnyOrderElementsOf(sources);
        assertThat(replays.values()).containsOnly(1);
        // each item names its replay, and that replay replays the item's source
        try (Connection c = cluster.jdbc(); ResultSet rs = c.createStatement().executeQuery(
                "select count(*) from bulk_job_items i join events e on e.stream_id = 'execution-' || i.result_id"
                        + " and e.stream_version = 1 where i.job_id = '" + job + "' and i.state = 'DONE'"
                        + " and e.payload->>'replay_of' = i.execution_id::text")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(SOURCES);
        }
    }

    @Test
    @Order(3)
    void aReplicaShutDownWithSigtermGivesItsJobUpAndAnotherResumesItBeforeTheLeasePasses() throws Exception {
        String wf = r2.createWorkflow(QUICK);
        for (int i = 0; i < SOURCES / 2; i++) {
            (i % 2 == 0 ? r1 : r2).startExecution(wf, "{\"n\": " + i + "}", "sigterm-it-" + i);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> completed(wf) >= SOURCES / 2);
        Replica.Answer created = r2.post("/api/executions/replay", "{\"filter\": {\"workflow_id\": \"" + wf
                + "\"}, \"mode\": \"replay\", \"max\": " + SOURCES + "}", Map.of());
        assertThat(created.status()).as(created.body()).isEqualTo(202);
        String job = created.json().path("job_id").asText();
        JsonNode[] seen = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            seen[0] = r2.get("/api/jobs/" + job).json();
            return seen[0].path("done").asInt() >= SOURCES / 8 && !seen[0].path("owner").isNull();
        });
        Replica runner = cluster.get(seen[0].path("owner").asText());
        Replica other = runner == r1 ? r2 : r1;
        long term = System.nanoTime();
        // SIGTERM, and watch the job while the replica shuts down (it takes a couple of seconds to exit, in which the
        // other replica may already have resumed and finished the job)
        java.util.concurrent.CompletableFuture<Duration> exiting = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return runner.terminate(Duration.ofSeconds(40));
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
        // the lease was given up at shutdown: the other replica claims the job at its next poll, not after 4 s
        long[] resumed = new long[1];
        await().atMost(JOB_LEASE.minusMillis(500)).pollInterval(Duration.ofMillis(50)).until(() -> {
            JsonNode now = other.get("/api/jobs/" + job).json();
            resumed[0] = System.nanoTime();
            return other.id.equals(now.path("owner").asText()) || "COMPLETED".equals(now.path("status").asText());
        });
        Duration exit = exiting.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(java.nio.file.Files.readString(runner.log)).as("the replica shut down did not finish the job itself")
                .doesNotContain("bulk job " + job + " completed");
        cluster.report("SIGTERM to " + runner.id + " (exited in " + exit.toMillis() + " ms): " + other.id
                + " had resumed its job " + (resumed[0] - term) / 1_000_000 + " ms after the signal");
        JsonNode done = awaitJob(other, job, "COMPLETED");
        assertThat(done.path("done").asInt()).isEqualTo(SOURCES / 2);
        try (Connection c = cluster.jdbc(); ResultSet rs = c.createStatement().executeQuery(
                "select count(*), count(distinct e.payload->>'replay_of') from bulk_job_items i join events e"
                        + " on e.stream_id = 'execution-' || i.result_id and e.stream_version = 1"
                        + " where i.job_id = '" + job + "' and e.payload->>'replay_of' = i.execution_id::text")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(SOURCES / 2);
            assertThat(rs.getInt(2)).isEqualTo(SOURCES / 2);
        }
    }

    private static long completed(String wf) throws Exception {
        return cluster.events().statuses(wf).getOrDefault("COMPLETED", 0L);
    }

    private static JsonNode awaitJob(Replica on, String job, String status) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
            last[0] = on.get("/api/jobs/" + job).json();
            return status.equals(last[0].path("status").asText());
        });
        return last[0];
    }

    private static JsonNode view(String id) throws Exception {
        return r1.get("/api/executions/" + id).json();
    }

    private static JsonNode task(String id, String task) throws Exception {
        return view(id).path("task_executions").path(task);
    }
}
