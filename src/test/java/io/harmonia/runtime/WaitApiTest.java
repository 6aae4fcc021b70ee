package io.harmonia.runtime;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.harmonia.api.ApiAccess;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * core.wait through the API: a wait in the past completes at once, a duration completes after it and not before, a
 * wait far away leaves the memory and keeps only its row's {@code wake_at}, and still completes when due; a templated
 * input that is not a time fails with VALIDATION_ERROR; retries do not restart a duration's clock. A short horizon,
 * a fast scan and eviction at once make the eviction visible within seconds.
 */
@QuarkusTest
@TestProfile(WaitApiTest.FastScan.class)
class WaitApiTest {

    public static class FastScan implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("harmonia.runtime.scan-interval", "200ms", "harmonia.runtime.timer-horizon", "1s",
                    "harmonia.runtime.evict-idle-after", "0s");
        }
    }

    @Inject
    ExecutionEngine engine;

    @Inject
    Pool pool;

    @Test
    void aWaitUntilAnInstantInThePastCompletesAtOnce() {
        String wf = ApiAccess.createWorkflow("{'name': 'wait-past', 'tasks': ["
                + "{'id': 'w', 'component': 'core', 'action': 'wait', 'input': {'until': '2020-01-01T00:00:00Z'}},"
                + "{'id': 'after', 'component': 'core', 'action': 'echo', 'input': '${tasks.w.output}',"
                + " 'depends_on': ['w']}]}");
        long begin = System.nanoTime();
        String id = ApiAccess.start(wf, "{}");

        JsonPath done = awaitStatus(id, Duration.ofSeconds(5), "COMPLETED");

        assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(2));
        assertThat(done.getString("task_executions.w.output.waited_until")).isEqualTo("2020-01-01T00:00:00Z");
        assertThat(done.getString("task_executions.after.output.waited_until")).isEqualTo("2020-01-01T00:00:00Z");
    }

    @Test
    void aWaitForADurationCompletesAfterItAndNotBefore() {
        String wf = ApiAccess.createWorkflow("{'name': 'wait-a-second', 'tasks': ["
                + "{'id': 'w', 'component': 'core', 'action': 'wait', 'input': {'duration': 'PT1.2S'}}]}");
        String id = ApiAccess.start(wf, "{}");

        JsonPath done = awaitStatus(id, Duration.ofSeconds(10), "COMPLETED");

        Instant started = occurredAt(id, "TaskStarted").get(0);
        Instant completed = occurredAt(id, "TaskCompleted").get(0);
        assertThat(Duration.between(started, completed)).as("from the wait's start to its completion")
                .isBetween(Duration.ofMillis(1200), Duration.ofMillis(2200));
        assertThat(Duration.between(started.plusMillis(1200),
                Instant.parse(done.getString("task_executions.w.output.waited_until"))).abs())
                .as("waited_until from the start").isLessThan(Duration.ofMillis(1));
    }

    @Test
    void aWaitFarAwayLeavesTheMemoryWithItsDueTimeInItsRow() {
        String wf = ApiAccess.createWorkflow("{'name': 'wait-an-hour', 'tasks': ["
                + "{'id': 'w', 'component': 'core', 'action': 'wait', 'input': {'duration': 'PT1H'}}]}");
        String id = ApiAccess.start(wf, "{}");

        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> !engine.holds(id) && "RUNNING".equals(status(id)));

        Instant started = occurredAt(id, "TaskStarted").get(0);
        assertThat(wakeAt(id)).as("wake_at of execution %s", id).isEqualTo(started.plus(Duration.ofHours(1)));
        given().post("/api/executions/" + id + "/cancel").then().statusCode(200);
    }

    @Test
    void aWaitOutOfMemoryIsTakenUpAndCompletesWhenDue() {
        String wf = ApiAccess.createWorkflow("{'name': 'wait-until', 'tasks': ["
                + "{'id': 'w', 'component': 'core', 'action': 'wait', 'input': {'until': '${input.until}'}},"
                + "{'id': 'after', 'component': 'core', 'action': 'echo', 'depends_on': ['w']}]}");
        Instant due = Instant.now().plusSeconds(4).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        String id = ApiAccess.start(wf, "{'until': '" + due + "'}");

        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50))
                .until(() -> !engine.holds(id) && "RUNNING".equals(status(id)));
        assertThat(wakeAt(id)).isEqualTo(due);
        JsonPath done = awaitStatus(id, Duration.ofSeconds(10), "COMPLETED");

        Instant completed = occurredAt(id, "TaskCompleted").get(0);
        assertThat(completed).isBetween(due, due.plusSeconds(1));
        assertThat(done.getString("task_executions.w.output.waited_until")).isEqualTo(due.toString());
        assertThat(occurredAt(id, "TaskStarted")).as("one start of w, one of after").hasSize(2);
    }

    @Test
    void aTemplatedInputThatIsNotATimeFailsWithAValidationError() {
        String wf = ApiAccess.createWorkflow("{'name': 'wait-bad', 'tasks': ["
                + "{'id': 'w', 'component': 'core', 'action': 'wait', 'input': {'until': '${input.when}'},"
                + " 'retry': 3}]}");
        String id = ApiAccess.start(wf, "{'when': 'next tuesday'}");

        JsonPath done = awaitStatus(id, Duration.ofSeconds(5), "FAILED");

        assertThat(done.getString("error.type")).isEqualTo("VALIDATION_ERROR");
        assertThat(done.getString("error.task_id")).isEqualTo("w");
        assertThat(done.getString("error.message")).isEqualTo("task 'w' failed: core.wait expects until to be an"
                + " ISO-8601 instant with a time zone offset such as 2026-12-01T09:00:00Z; found \"next tuesday\" (string)");
        assertThat(done.getInt("task_executions.w.attempts")).as("a validation error is not retried").isEqualTo(1);
    }

    @Test
    void retriesDoNotRestartTheClockOfADurationWait() {
        // each attempt times out after 700 ms and is retried 100 ms later; the wait is due 2 s after the first
        // attempt started, so the third attempt completes it (a clock restarted by each attempt never would)
        String wf = ApiAccess.createWorkflow("{'name': 'wait-retried', 'tasks': ["
                + "{'id': 'w', 'component': 'core', 'action': 'wait', 'input': {'duration': 'PT2S'},"
                + " 'timeout_ms': 700, 'retry': {'max_attempts': 5, 'initial_delay_ms': 100, 'jitter': false,"
                + " 'backoff_factor': 1}}]}");
        String id = ApiAccess.start(wf, "{}");

        JsonPath done = awaitStatus(id, Duration.ofSeconds(10), "COMPLETED", "FAILED");

        assertThat(done.getString("status")).isEqualTo("COMPLETED");
        assertThat(done.getInt("task_executions.w.attempts")).isEqualTo(3);
        Instant firstStarted = occurredAt(id, "TaskStarted").get(0);
        Instant completed = occurredAt(id, "TaskCompleted").get(0);
        assertThat(Duration.between(firstStarted.plusSeconds(2),
                Instant.parse(done.getString("task_executions.w.output.waited_until"))).abs())
                .as("waited_until from the first attempt's start").isLessThan(Duration.ofMillis(1));
        assertThat(Duration.between(firstStarted, completed)).isBetween(Duration.ofMillis(2000),
                Duration.ofMillis(2500));
    }

    private Instant wakeAt(String id) {
        Row row = pool.preparedQuery("select wake_at from executions where id = $1::uuid")
                .execute(Tuple.of(id)).await().atMost(Duration.ofSeconds(5)).iterator().next();
        OffsetDateTime wake = row.getOffsetDateTime("wake_at");
        return wake == null ? null : wake.toInstant();
    }

    private static String status(String id) {
        return given().get("/api/executions/" + id).then().statusCode(200).extract().path("status");
    }

    private static JsonPath awaitStatus(String id, Duration within, String... statuses) {
        List<String> wanted = List.of(statuses);
        JsonPath[] last = new JsonPath[1];
        await().atMost(within).pollInterval(Duration.ofMillis(25)).until(() -> {
            last[0] = given().get("/api/executions/" + id).then().statusCode(200).extract().jsonPath();
            return wanted.contains(last[0].getString("status"));
        });
        return last[0];
    }

    private static List<Instant> occurredAt(String id, String type) {
        List<String> times = given().get("/api/executions/" + id + "/events?limit=1000").then().statusCode(200)
                .extract().jsonPath().getList("items.findAll { it.type == '" + type + "' }.occurred_at");
        return times.stream().map(Instant::parse).toList();
    }
}
