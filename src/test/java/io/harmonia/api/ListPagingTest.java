package io.harmonia.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Keyset pagination (cursor / next_cursor) and bounded totals, with a small exact-total bound. */
@QuarkusTest
@TestProfile(ListPagingTest.SmallExactTotal.class)
class ListPagingTest {

    public static class SmallExactTotal implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("harmonia.api.max-exact-total", "3", "harmonia.api.max-offset", "100");
        }
    }

    @Test
    void aCursorWalksEveryWorkflowOnceAndTotalsAboveTheBoundAreMarkedInexact() {
        String unique = "paged_" + System.nanoTime();
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            created.add(Api.createWorkflow(WorkflowApiTest.SEED.replace("example_workflow", unique + "_" + i)));
        }
        Set<String> seen = new LinkedHashSet<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonPath page = given().queryParam("filter", unique).queryParam("limit", 2)
                    .queryParam("cursor", cursor == null ? "" : cursor).get("/api/workflows")
                    .then().statusCode(200).extract().jsonPath();
            List<String> ids = page.getList("items.workflow_id");
            for (String id : ids) {
                assertThat(seen.add(id)).as("listed twice: " + id).isTrue();
            }
            assertThat(page.getBoolean("total_exact")).isFalse();
            assertThat(page.getLong("total")).isGreaterThan(3);
            cursor = page.getString("next_cursor");
            pages++;
        } while (cursor != null && pages < 10);
        // newest first
        List<String> newestFirst = new ArrayList<>(created);
        java.util.Collections.reverse(newestFirst);
        assertThat(new ArrayList<>(seen)).isEqualTo(newestFirst);
        // unfiltered lists estimate from the table statistics; never below the bound
        given().get("/api/workflows?limit=1").then().statusCode(200).body("total_exact", equalTo(false))
                .body("total", greaterThanOrEqualTo(4));
        // an exact total under the bound
        given().queryParam("filter", unique + "_1").get("/api/workflows").then().body("total", equalTo(1))
                .body("total_exact", equalTo(true)).body("next_cursor", nullValue());
    }

    @Test
    void aCursorWalksExecutionsOfAWorkflow() {
        String wf = Api.createWorkflow(WorkflowApiTest.SEED);
        Set<String> started = new LinkedHashSet<>();
        for (int i = 0; i < 3; i++) {
            started.add(Api.start(wf, "{\"n\": 1}"));
        }
        JsonPath first = given().get("/api/executions?limit=2&workflow_id=" + wf).then().statusCode(200).extract()
                .jsonPath();
        JsonPath second = given().get("/api/executions?limit=2&workflow_id=" + wf + "&cursor="
                + first.getString("next_cursor")).then().statusCode(200).extract().jsonPath();
        Set<String> seen = new LinkedHashSet<>(first.getList("items.execution_id"));
        seen.addAll(second.getList("items.execution_id"));
        assertThat(seen).containsExactlyInAnyOrderElementsOf(started);
        assertThat(second.getString("next_cursor")).isNull();
        // offset paging still works, within its bound
        given().get("/api/executions?limit=1&offset=1&workflow_id=" + wf).then().statusCode(200)
                .body("items[0].execution_id", equalTo(first.getString("items[1].execution_id")));
    }

    @Test
    void badCursorsAndOffsetsSayWhatIsAllowed() {
        ApiErrorsTest.problem(given().get("/api/workflows?offset=101").then(), 400, "bad-request")
                .body("detail", containsString("from 0 to 100")).body("detail", containsString("cursor"));
        ApiErrorsTest.problem(given().get("/api/executions?cursor=nonsense").then(), 400, "bad-request")
                .body("errors[0].pointer", equalTo("/query/cursor"));
        String cursor = given().get("/api/workflows?limit=1").then().extract().path("next_cursor");
        ApiErrorsTest.problem(given().get("/api/workflows?offset=1&cursor=" + cursor).then(), 400, "bad-request")
                .body("errors[0].pointer", equalTo("/query/cursor"));
    }
}
