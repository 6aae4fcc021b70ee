package io.harmonia.api;

import static io.harmonia.api.Api.awaitFinished;
import static io.harmonia.api.Api.createWorkflow;
import static io.harmonia.api.Api.start;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A bulk job runs at harmonia.history.bulk-rate (here 2 per second) and stops when canceled. */
@QuarkusTest
@TestProfile(BulkJobCancelTest.SlowBulk.class)
class BulkJobCancelTest {

    public static class SlowBulk implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("harmonia.history.bulk-rate", "2", "harmonia.history.bulk-poll-interval", "200ms");
        }
    }

    @Test
    void aJobKeepsToItsRateAndACanceledJobDoesNoMoreItems() {
        String wf = createWorkflow(WorkflowApiTest.SEED);
        List<String> sources = new ArrayList<>();
        for (int n = 1; n <= 12; n++) {
            sources.add(start(wf, "{'n': " + n + "}"));
        }
        sources.forEach(Api::awaitFinished);
        // 2 per second (a burst of 2, then one every 500 ms): 4 done takes at least a second
        long begin = System.nanoTime();
        String jobId = BulkReplayApiTest.bulk("{'filter': {'workflow_id': '" + wf + "'}, 'mode': 'replay', 'max': 12}");
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> BulkReplayApiTest.job(jobId).getInt("done") >= 4);
        assertThat(Duration.ofNanos(System.nanoTime() - begin)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        JsonPath running = BulkReplayApiTest.job(jobId);
        assertThat(running.getString("status")).isEqualTo("RUNNING");
        assertThat(running.getString("owner")).isNotNull();
        assertThat(running.getString("lease_until")).isNotNull();

        JsonPath canceled = given().post("/api/jobs/" + jobId + "/cancel").then().statusCode(200)
                .body("status", equalTo("CANCELED")).extract().jsonPath();
        assertThat(canceled.getString("finished_at")).isNotNull();
        // the runner stops before its next item: done stops moving, well short of 12
        // (an item already under way may still finish)
        int[] last = {canceled.getInt("done")};
        await().atMost(Duration.ofSeconds(10)).during(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    int now = BulkReplayApiTest.job(jobId).getInt("done");
                    boolean same = now == last[0];
                    last[0] = now;
                    return same;
                });
        JsonPath after = BulkReplayApiTest.job(jobId);
        assertThat(after.getString("status")).isEqualTo("CANCELED");
        assertThat(after.getInt("done")).isLessThan(12);
        assertThat(after.getInt("pending")).isEqualTo(12 - after.getInt("done"));
        // canceling again answers the canceled job
        given().post("/api/jobs/" + jobId + "/cancel").then().statusCode(200).body("status", equalTo("CANCELED"));
        given().get("/api/jobs/" + jobId + "/items?state=DONE").then().statusCode(200)
                .body("items.size()", equalTo(after.getInt("done")));
        awaitFinished(sources.get(0));
    }
}
