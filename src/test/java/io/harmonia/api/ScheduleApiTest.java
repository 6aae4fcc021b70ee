package io.harmonia.api;

import static io.harmonia.api.Api.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** /api/schedules against the real service: CRUD, validation, cron fires every second, pause, trigger, overlap. */
@QuarkusTest
class ScheduleApiTest {

    static final String ECHO = """
            {'name': 'scheduled_echo',
             'input': {'type': 'object', 'properties': {'n': {'type': 'integer'}}},
             'tasks': [{'id': 'a', 'component': 'core', 'action': 'echo', 'input': {'value': '${input.n}'}}]}""";
    static final String SLOW = """
            {'name': 'scheduled_sleep',
             'tasks': [{'id': 'a', 'component': 'core', 'action': 'sleep', 'input': {'ms': 4000}}]}""";

    static String create(String body) {
        return given().contentType(ContentType.JSON).body(json(body)).post("/api/schedules").then().statusCode(201)
                .extract().path("schedule_id");
    }

    static JsonPath schedule(String id) {
        return given().get("/api/schedules/" + id).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void createGetListUpdatePauseResumeDelete() {
        String wf = Api.createWorkflow(ECHO);
        String id = given().contentType(ContentType.JSON).body(json("{'workflow_id': '" + wf + "', 'cron': '0 9 * * 1-5',"
                        + " 'timezone': 'Europe/Paris', 'input': {'n': 1}, 'name': 'weekdays', 'overlap': 'buffer_one'}"))
                .post("/api/schedules").then().statusCode(201)
                .header("Location", containsString("/api/schedules/"))
                .body("status", equalTo("active")).body("timezone", equalTo("Europe/Paris"))
                .body("overlap", equalTo("buffer_one")).body("catchup_window", equalTo("PT1M"))
                .body("next_fire_times", hasSize(5)).body("counts.started", equalTo(0))
                .extract().path("schedule_id");
        List<String> next = schedule(id).getList("next_fire_times");
        assertThat(Instant.parse(next.get(0))).isAfter(Instant.now());
        assertThat(next.get(0)).matches(".*T0[78]:00:00Z"); // 09:00 in Paris (CET or CEST)

        given().get("/api/schedules?workflow_id=" + wf).then().statusCode(200)
                .body("items", hasSize(1)).body("items[0].schedule_id", equalTo(id));
        given().get("/api/schedules?workflow_id=nope").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].pointer", equalTo("/query/workflow_id"));

        given().contentType(ContentType.JSON).body(json("{'workflow_id': '" + wf + "', 'cron': '30 * * * * *'}"))
                .put("/api/schedules/" + id).then().statusCode(200)
                .body("cron", equalTo("30 * * * * *")).body("timezone", equalTo("UTC"))
                .body("next_fire_times[0]", containsString(":30Z"));

        given().post("/api/schedules/" + id + "/pause").then().statusCode(200)
                .body("status", equalTo("paused")).body("next_fire_times", hasSize(0));
        given().post("/api/schedules/" + id + "/pause").then().statusCode(200).body("status", equalTo("paused"));
        given().post("/api/schedules/" + id + "/resume").then().statusCode(200)
                .body("status", equalTo("active")).body("next_fire_times", hasSize(5));

        given().delete("/api/schedules/" + id).then().statusCode(204);
        given().get("/api/schedules/" + id).then().statusCode(200).body("status", equalTo("deleted"));
        given().get("/api/schedules?workflow_id=" + wf).then().body("items", hasSize(0));
        given().post("/api/schedules/" + id + "/resume").then().statusCode(409)
                .contentType("application/problem+json").body("schedule_status", equalTo("deleted"))
                .body("detail", containsString(id));
        given().post("/api/schedules/" + id + "/trigger").then().statusCode(409);

        given().get("/api/schedules/" + id + "/events").then().statusCode(200)
                .body("items.type", equalTo(List.of("ScheduleCreated", "ScheduleUpdated", "SchedulePaused",
                        "ScheduleResumed", "ScheduleDeleted")))
                .body("items[0].data.spec.cron", equalTo("0 9 * * 1-5"));
    }

    @Test
    void badInputIsA422NamingEachFieldAndUnknownIsA404() {
        String wf = Api.createWorkflow(ECHO);
        given().contentType(ContentType.JSON).body(json("{'workflow_id': '" + wf + "', 'cron': '61 * * * *',"
                        + " 'timezone': 'Nowhere/Land', 'overlap': 'often', 'catchup_window': 'soon', 'paused': 'yes'}"))
                .post("/api/schedules").then().statusCode(422).contentType("application/problem+json")
                .body("errors.pointer", hasItems("/cron", "/timezone", "/overlap", "/catchup_window", "/paused"))
                .body("errors.find { it.pointer == '/cron' }.detail", containsString("61"));
        given().contentType(ContentType.JSON).body(json("{'cron': '* * * *'}")).post("/api/schedules").then()
                .statusCode(422).body("errors.pointer", hasItems("/workflow_id", "/cron"))
                .body("errors.find { it.pointer == '/cron' }.detail", containsString("found 4"));
        given().contentType(ContentType.JSON).body(json("{'workflow_id': '" + java.util.UUID.randomUUID()
                        + "', 'cron': '* * * * *'}")).post("/api/schedules").then().statusCode(422)
                .body("errors[0].pointer", equalTo("/workflow_id"));
        given().contentType(ContentType.JSON).body(json("{'workflow_id': '" + wf + "', 'version': 7,"
                        + " 'cron': '* * * * *'}")).post("/api/schedules").then().statusCode(422)
                .body("errors[0].pointer", equalTo("/version"));
        given().contentType(ContentType.JSON).body(json("{'workflow_id': '" + wf + "', 'cron': '* * * * *',"
                        + " 'input': {'n': 'three'}}")).post("/api/schedules").then().statusCode(422)
                .body("errors[0].pointer", containsString("/input"));
        given().contentType(ContentType.JSON).body("[1]").post("/api/schedules").then().statusCode(422);
        given().contentType(ContentType.JSON).body("{\"cron\": ").post("/api/schedules").then().statusCode(400);
        given().get("/api/schedules/" + java.util.UUID.randomUUID()).then().statusCode(404)
                .contentType("application/problem+json");
        given().get("/api/schedules/not-a-uuid").then().statusCode(404);
        given().post("/api/schedules/not-a-uuid/trigger").then().statusCode(404);
    }

    @Test
    void everySecondItFiresOneExecutionPerSecondPauseStopsItAndResumeRestartsIt() {
        String wf = Api.createWorkflow(ECHO);
        String id = create("{'workflow_id': '" + wf + "', 'cron': '* * * * * *', 'input': {'n': 7}}");
        await().atMost(Duration.ofSeconds(15)).until(() -> schedule(id).getInt("counts.started") >= 3);

        JsonPath view = schedule(id);
        List<Map<String, Object>> fires = view.getList("recent_fires");
        HashSet<Object> executions = new HashSet<>();
        HashSet<Object> times = new HashSet<>();
        for (Map<String, Object> f : fires) {
            assertThat(f.get("outcome")).isEqualTo("started");
            assertThat((String) f.get("fire_time")).endsWith("Z").doesNotContain(".");
            executions.add(f.get("execution_id"));
            times.add(f.get("fire_time"));
        }
        assertThat(executions).hasSameSizeAs(fires);
        assertThat(times).hasSameSizeAs(fires);
        String first = (String) fires.get(fires.size() - 1).get("execution_id");
        JsonPath done = Api.awaitFinished(first);
        assertThat(done.getString("status")).isEqualTo("COMPLETED");
        assertThat(done.getString("workflow_id")).isEqualTo(wf);
        given().get("/api/executions?workflow_id=" + wf).then().body("items.execution_id", hasItem(first));

        given().post("/api/schedules/" + id + "/pause").then().statusCode(200);
        long paused = schedule(id).getLong("counts.started");
        await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(4))
                .until(() -> schedule(id).getLong("counts.started") == paused);

        given().post("/api/schedules/" + id + "/resume").then().statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> schedule(id).getLong("counts.started") >= paused + 2);
        assertThat(schedule(id).getLong("counts.missed")).isZero();
        given().delete("/api/schedules/" + id).then().statusCode(204);
    }

    @Test
    void triggerFiresNowAndOverlapSkipSkipsWhileTheLastExecutionRuns() {
        String wf = Api.createWorkflow(SLOW);
        String id = create("{'workflow_id': '" + wf + "', 'cron': '0 0 1 1 *'}");
        String execution = given().post("/api/schedules/" + id + "/trigger").then().statusCode(201)
                .header("Location", containsString("/api/executions/"))
                .body("fire.outcome", equalTo("started")).body("execution.workflow_id", equalTo(wf))
                .extract().path("execution.execution_id");
        given().post("/api/schedules/" + id + "/trigger").then().statusCode(200)
                .body("fire.outcome", equalTo("skipped")).body("fire.execution_id", equalTo(null))
                .body("fire.previous_execution_id", equalTo(execution));
        JsonPath view = schedule(id);
        assertThat(view.getString("last_execution_id")).isEqualTo(execution);
        assertThat(view.getInt("counts.skipped")).isEqualTo(1);

        // a cron fire every second while one 4-second execution runs: the fires in between are skipped
        String every = create("{'workflow_id': '" + wf + "', 'cron': '* * * * * *', 'overlap': 'skip'}");
        await().atMost(Duration.ofSeconds(15)).until(() -> schedule(every).getInt("counts.skipped") >= 2);
        JsonPath v = schedule(every);
        assertThat(v.getInt("counts.started")).isBetween(1, 2);
        given().delete("/api/schedules/" + every).then().statusCode(204);
        given().get("/api/schedules/" + every).then().body("recent_fires.find { it.outcome == 'skipped' }"
                + ".previous_execution_id", notNullValue());
    }

    @Test
    void cancelPreviousCancelsTheRunningExecution() {
        String wf = Api.createWorkflow(SLOW);
        String id = create("{'workflow_id': '" + wf + "', 'cron': '0 0 1 1 *', 'overlap': 'cancel_previous'}");
        String first = given().post("/api/schedules/" + id + "/trigger").then().statusCode(201)
                .extract().path("execution.execution_id");
        given().post("/api/schedules/" + id + "/trigger").then().statusCode(201)
                .body("fire.outcome", equalTo("canceled_previous")).body("fire.previous_execution_id", equalTo(first));
        assertThat(Api.awaitFinished(first).getString("status")).isEqualTo("CANCELED");
    }

    @Test
    void bufferOneStartsTheBufferedFireWhenTheRunningExecutionEnds() {
        String wf = Api.createWorkflow(SLOW);
        String id = create("{'workflow_id': '" + wf + "', 'cron': '0 0 1 1 *', 'overlap': 'buffer_one'}");
        String first = given().post("/api/schedules/" + id + "/trigger").then().statusCode(201)
                .extract().path("execution.execution_id");
        String bufferedAt = given().post("/api/schedules/" + id + "/trigger").then().statusCode(200)
                .body("fire.outcome", equalTo("buffered")).extract().path("fire.fire_time");
        given().post("/api/schedules/" + id + "/trigger").then().statusCode(200)
                .body("fire.outcome", equalTo("skipped"));
        assertThat(schedule(id).getString("buffered_fire_time")).isEqualTo(bufferedAt);

        assertThat(Api.awaitFinished(first).getString("status")).isEqualTo("COMPLETED");
        await().atMost(Duration.ofSeconds(10)).until(() -> schedule(id).getInt("counts.started") == 2);
        JsonPath view = schedule(id);
        assertThat(view.getString("buffered_fire_time")).isNull();
        assertThat(view.getString("recent_fires[0].fire_time")).isEqualTo(bufferedAt);
        assertThat(view.getString("recent_fires[0].outcome")).isEqualTo("started");
        assertThat(view.getString("last_execution_id")).isNotEqualTo(first)
                .isEqualTo(view.getString("recent_fires[0].execution_id"));
        given().delete("/api/schedules/" + id).then().statusCode(204);
    }
}
