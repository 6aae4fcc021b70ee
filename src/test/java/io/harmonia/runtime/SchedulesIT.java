package io.harmonia.runtime;

import static org.awaitility.Awaitility.await;

import io.harmonia.runtime.cluster.Partitioning;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: a schedule firing every second for a minute on 3 replicas, the replica that owns the schedule's
 * partition killed -9 in the middle: exactly one execution per fire time (counted from the event store), none missed
 * (the takeover is well inside the one-minute catch-up window).
 */
class SchedulesIT {
    static final int PARTITIONS = 16;
    static final int FIRES = 60;
    static final Duration LEASE = Duration.ofSeconds(3);
    static final Duration RENEW = Duration.ofSeconds(1);

    @Test
    void everySecondForAMinuteWithTheOwnerKilledInTheMiddleStartsOneExecutionPerFireTime() throws Exception {
        try (Replicas cluster = Replicas.start("schedules-it", Map.of(
                "HARMONIA_CLUSTER_PARTITIONS", String.valueOf(PARTITIONS),
                "HARMONIA_CLUSTER_LEASE", LEASE.toSeconds() + "s",
                "HARMONIA_CLUSTER_RENEW_INTERVAL", RENEW.toSeconds() + "s",
                "HARMONIA_CLUSTER_HANDOVER_TIMEOUT", "5s"))) {
            long begin = System.nanoTime();
            List<Replica> replicas = cluster.launch("r1", "r2", "r3");
            Replica r1 = replicas.get(0);
            r1.awaitOwners("r1", "r2", "r3");
            EventLog log = cluster.events();
            String wf = r1.createWorkflow("""
                    {"name": "every-second", "tasks": [
                      {"id": "a", "component": "core", "action": "echo", "input": {"n": 1}}]}""");
            Instant start = log.now().plusSeconds(3).truncatedTo(ChronoUnit.SECONDS);
            Instant end = start.plusSeconds(FIRES - 1);
            Replica.Answer created = r1.post("/api/schedules", "{\"workflow_id\": \"" + wf + "\", \"cron\": \"* * * *"
                    + " * *\", \"start_at\": \"" + start + "\", \"end_at\": \"" + end + "\", \"catchup_window\":"
                    + " \"PT1M\"}", Map.of());
            if (created.status() != 201) {
                throw new IllegalStateException("expected 201 creating the schedule, found " + created.status() + ": "
                        + created.body());
            }
            String scheduleId = created.json().path("schedule_id").asText();
            int partition = Partitioning.of(scheduleId, PARTITIONS);
            String owner = r1.partitionOwners().orElseThrow().get(partition);
            Replica killed = cluster.get(owner);
            Replica survivor = replicas.stream().filter(r -> r != killed).findFirst().orElseThrow();

            // kill -9 the owner of the schedule's partition half-way through the minute
            await("half-way").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> !log.now().isBefore(start.plusSeconds(FIRES / 2)));
            killed.kill9();
            Instant killedAt = log.now();
            cluster.report("killed " + owner + " (owner of partition " + partition + " of schedule " + scheduleId
                    + ") at " + killedAt);

            await("every fire recorded").atMost(Duration.ofSeconds(FIRES + 30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> fires(cluster, scheduleId).size() >= FIRES);
            // nothing more may come: the schedule ended
            await("no fire after the end").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                    .until(() -> fires(cluster, scheduleId).size() == FIRES);

            List<Fire> fires = fires(cluster, scheduleId);
            Map<String, Integer> startedPerExecution = executionsStarted(cluster, wf);
            SoftAssertions softly = new SoftAssertions();
            Set<Instant> times = new HashSet<>();
            List<String> wrong = new ArrayList<>();
            long maxLate = 0;
            for (Fire f : fires) {
                if (!times.add(f.fireTime())) {
                    wrong.add("fire time " + f.fireTime() + " recorded twice");
                }
                if (!"started".equals(f.outcome())) {
                    wrong.add("fire " + f.fireTime() + ": outcome " + f.outcome() + ", expected started");
                }
                if (startedPerExecution.getOrDefault(f.executionId(), 0) != 1) {
                    wrong.add("fire " + f.fireTime() + ": execution " + f.executionId() + " started "
                            + startedPerExecution.getOrDefault(f.executionId(), 0) + " times, expected once");
                }
                maxLate = Math.max(maxLate, Duration.between(f.fireTime(), f.recordedAt()).toMillis());
            }
            for (int i = 0; i < FIRES; i++) {
                if (!times.contains(start.plusSeconds(i))) {
                    wrong.add("no fire at " + start.plusSeconds(i));
                }
            }
            softly.assertThat(History.brief(wrong)).as("fires not exactly once per second").isEmpty();
            softly.assertThat(startedPerExecution).as("executions of the scheduled workflow").hasSize(FIRES);
            softly.assertThat(missed(cluster, scheduleId)).as("ScheduleMissed events").isZero();
            cluster.report(FIRES + " fire times, " + fires.size() + " ScheduleFired, " + startedPerExecution.size()
                    + " executions; worst fire recorded " + maxLate + " ms after its time (the owner was killed,"
                    + " lease " + LEASE.toMillis() + " ms); survivor " + survivor + "; test took "
                    + ReplicasIT.millis(begin) + " ms");
            softly.assertAll();
        }
    }

    record Fire(Instant fireTime, String executionId, String outcome, Instant recordedAt) {}

    static List<Fire> fires(Replicas cluster, String scheduleId) throws Exception {
        try (Connection c = cluster.jdbc(); PreparedStatement s = c.prepareStatement("select payload->>'fire_time',"
                + " payload->>'execution_id', payload->>'outcome', recorded_at from events where stream_id = ? and"
                + " event_type = 'ScheduleFired' order by stream_version")) {
            s.setString(1, "schedule-" + scheduleId);
            List<Fire> out = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(new Fire(Instant.parse(rs.getString(1)), rs.getString(2), rs.getString(3),
                            rs.getTimestamp(4).toInstant()));
                }
            }
            return out;
        }
    }

    static long missed(Replicas cluster, String scheduleId) throws Exception {
        try (Connection c = cluster.jdbc(); PreparedStatement s = c.prepareStatement("select count(*) from events"
                + " where stream_id = ? and event_type = 'ScheduleMissed'")) {
            s.setString(1, "schedule-" + scheduleId);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** ExecutionStarted events per execution of {@code workflowId}. */
    static Map<String, Integer> executionsStarted(Replicas cluster, String workflowId) throws Exception {
        try (Connection c = cluster.jdbc(); PreparedStatement s = c.prepareStatement("select substr(stream_id, 11),"
                + " count(*) from events where stream_id like 'execution-%' and event_type = 'ExecutionStarted'"
                + " and payload->>'workflow_id' = ? group by stream_id")) {
            s.setString(1, workflowId);
            Map<String, Integer> out = new HashMap<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getInt(2));
                }
            }
            return out;
        }
    }
}
