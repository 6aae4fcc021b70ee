package io.harmonia.projection.executions;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.harmonia.api.ApiAccess;
import io.harmonia.projection.executions.LargeWorkflowApiTest.HealthPoller;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Given a for_each of 10,000 items (inline core.echo, 100 at a time), when it runs to completion, then the service
 * keeps answering {@code /q/health/live} within 100 ms (1 s on an overloaded machine, see
 * {@link LargeWorkflowApiTest}), and the task's output is the 10,000 outputs in order. Prints wall time, events and
 * heap (the numbers in docs-pending/foreach.md).
 */
@QuarkusTest
class LargeForEachApiTest {
    static final int N = 10_000;

    @TestHTTPResource("/q/health/live")
    URL live;

    @Test
    void aForEachOf10000ItemsRunsWhileTheServiceStaysLive() throws Exception {
        String wf = ApiAccess.createWorkflow("""
                {"name": "large-for-each", "output": {"n": "${size(tasks.each.output)}"}, "tasks": [
                  {"id": "each", "component": "core", "action": "echo", "for_each": "${input.items}",
                   "max_parallel": 100, "input": {"v": "${item}", "i": "${index}"}}]}""");
        StringBuilder items = new StringBuilder("[");
        for (int i = 0; i < N; i++) {
            items.append(i == 0 ? "" : ",").append(i);
        }
        HealthPoller poller = new HealthPoller(live.toURI());
        Thread thread = new Thread(poller, "health-poller");
        AtomicLong heapPeak = new AtomicLong();
        Thread heap = new Thread(() -> {
            while (!poller.stop.get()) {
                heapPeak.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(),
                        Math::max);
                java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
            }
        }, "heap-sampler");
        thread.start();
        String id;
        long wall;
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> poller.answers() >= 5); // warm-up
            poller.durations.clear();
            await().atMost(Duration.ofSeconds(30)).until(() -> poller.answers() >= 20);
            Duration idle = poller.slowest();
            poller.durations.clear();
            heap.start();
            long t0 = System.nanoTime();
            id = ApiAccess.start(wf, "{\"items\": " + items + "]}");
            // 3 events per item and 4 more; automatic checkpoints add a few: the end is found by its type
            String last = "/api/executions/" + id + "/events?after=" + (3 * N) + "&limit=1000";
            await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(250)).until(() ->
                    given().get(last).then().statusCode(200).extract().jsonPath().getList("items.type")
                            .contains("ExecutionCompleted"));
            wall = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("idle slowest probe %d ms%n", idle.toMillis());
        } finally {
            poller.stop.set(true);
            thread.join(10_000);
            heap.join(10_000);
        }
        JsonPath done = given().get("/api/executions/" + id).then().statusCode(200).extract().jsonPath();
        assertThat(done.getString("status")).isEqualTo("COMPLETED");
        assertThat(done.getInt("output.n")).isEqualTo(N);
        assertThat(done.getInt("task_executions.each.items.completed")).isEqualTo(N);
        List<Integer> outputs = done.getList("task_executions.each.output.v");
        assertThat(outputs).hasSize(N);
        for (int i = 0; i < N; i++) {
            assertThat(outputs.get(i)).isEqualTo(i);
        }
        int events = given().get("/api/executions/" + id + "/events?after=" + (3 * N - 10) + "&limit=1000").then()
                .extract().jsonPath().getInt("items[-1].sequence");
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        int cpus = Runtime.getRuntime().availableProcessors();
        Duration budget = load > cpus ? LargeWorkflowApiTest.HEALTH_BUDGET_ON_A_LOADED_MACHINE
                : LargeWorkflowApiTest.HEALTH_BUDGET;
        System.out.printf("for_each of %,d items: %d ms wall, %,d events, %d health probes, slowest %d ms, heap peak"
                + " %d MB (max %d MB), load %.1f on %d processors, budget %d ms%n", N, wall, events,
                poller.answers(), poller.slowest().toMillis(), heapPeak.get() >> 20,
                Runtime.getRuntime().maxMemory() >> 20, load, cpus, budget.toMillis());
        assertThat(poller.failures).as("health probes that failed").isEmpty();
        assertThat(poller.slowest()).as("slowest of %d health probes while a %,d-item for_each ran (load %.1f on %d"
                + " processors): %s", poller.answers(), N, load, cpus, poller.durations).isLessThan(budget);
    }
}
