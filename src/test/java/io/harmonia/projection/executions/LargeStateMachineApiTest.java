package io.harmonia.projection.executions;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.harmonia.api.ApiAccess;
import io.harmonia.projection.executions.LargeWorkflowApiTest.HealthPoller;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.net.URL;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Given a state machine of 5,000 steps (a chain of inline core.echo steps joined by transitions), when it starts and
 * runs to completion, then the service keeps answering: {@code /q/health/live}, polled all along on fresh
 * connections, never takes 100 ms or more (1 s on a machine whose load average is above its processors), as for
 * the DAG of 5,000 tasks ({@link LargeWorkflowApiTest}, whose poller this uses).
 */
@QuarkusTest
class LargeStateMachineApiTest {
    static final int N = 5_000;

    @TestHTTPResource("/q/health/live")
    URL live;

    static String chain(int n) {
        StringBuilder b = new StringBuilder("{'name': 'machine', 'output': {'last': '${tasks.s" + (n - 1)
                + ".output.n}'}, 'steps': [");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ", ").append("{'id': 's").append(i)
                    .append("', 'type': 'core.echo', 'config': {'n': '${input.n}'}");
            if (i < n - 1) {
                b.append(", 'transitions': [{'to': 's").append(i + 1).append("'}]");
            }
            b.append('}');
        }
        return b.append("]}").toString();
    }

    @Test
    void aChainOf5000StepsRunsWhileTheServiceStaysLive() throws Exception {
        String wf = ApiAccess.createWorkflow(chain(N));
        HealthPoller poller = new HealthPoller(live.toURI());
        Thread thread = new Thread(poller, "health-poller");
        thread.start();
        Duration idle;
        String id;
        long t0;
        long took;
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> poller.answers() >= 5); // warm-up
            poller.durations.clear();
            await().atMost(Duration.ofSeconds(30)).until(() -> poller.answers() >= 20); // idle answers
            idle = poller.slowest();
            poller.durations.clear();
            t0 = System.nanoTime();
            id = ApiAccess.start(wf, "{\"n\": 7}");
            // 4 events a step (scheduled, started, completed, transition) and a few checkpoints: wait on the last
            String last = "/api/executions/" + id + "/events?after=" + (4 * N - 10) + "&limit=1000";
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(() ->
                    given().get(last).then().statusCode(200).extract().jsonPath().getList("items.type")
                            .contains("ExecutionCompleted"));
            took = (System.nanoTime() - t0) / 1_000_000;
        } finally {
            poller.stop.set(true);
            thread.join(10_000);
        }
        JsonPath done = given().get("/api/executions/" + id).then().statusCode(200).extract().jsonPath();
        assertThat(done.getString("status")).isEqualTo("COMPLETED");
        assertThat(done.getMap("task_executions")).hasSize(N);
        assertThat(done.getInt("output.last")).isEqualTo(7);
        assertThat(done.getString("current_step_id")).isEqualTo("s" + (N - 1));
        assertThat(done.getLong("path_length")).isEqualTo(N - 1);
        assertThat(done.getList("path")).hasSize(100);
        assertThat(poller.failures).as("health probes that failed").isEmpty();
        assertThat(poller.answers()).as("health probes answered").isGreaterThan(3);
        double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        int cpus = Runtime.getRuntime().availableProcessors();
        Duration budget = load > cpus ? LargeWorkflowApiTest.HEALTH_BUDGET_ON_A_LOADED_MACHINE
                : LargeWorkflowApiTest.HEALTH_BUDGET;
        System.out.printf("state machine of %,d steps: ran in %,d ms; %d health probes, slowest %d ms (idle %d ms),"
                + " load %.1f on %d processors, budget %d ms%n", N, took, poller.answers(),
                poller.slowest().toMillis(), idle.toMillis(), load, cpus, budget.toMillis());
        assertThat(poller.slowest()).as("slowest of %d health probes while a %,d-step machine ran (slowest idle:"
                + " %s; load average %.1f on %d processors): %s", poller.answers(), N, idle, load, cpus,
                poller.durations).isLessThan(budget);
    }
}
