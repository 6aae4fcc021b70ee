package io.harmonia.api;

import static io.harmonia.api.Api.awaitFinished;
import static io.harmonia.api.Api.createWorkflow;
import static io.harmonia.api.Api.start;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * for_each through the API: a task runs once per item (inline core components), at most max_parallel at once; the
 * view counts the items, the items endpoint lists them, the output is the list of their outputs in order.
 */
@QuarkusTest
class ForEachApiTest {

    /** Every event of an execution, in order (paged). */
    static List<Map<String, Object>> allEvents(String id) {
        List<Map<String, Object>> all = new ArrayList<>();
        Integer after = 0;
        while (after != null) {
            JsonPath page = given().get("/api/executions/" + id + "/events?limit=1000&after=" + after).then()
                    .statusCode(200).extract().jsonPath();
            all.addAll(page.getList("items"));
            after = page.get("next_after");
        }
        return all;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> data(Map<String, Object> event) {
        return (Map<String, Object>) event.get("data");
    }

    static String taskOf(Map<String, Object> event) {
        return (String) data(event).get("task_id");
    }

    @Test
    void aDagWithAForEachOf50EchoItemsCompletesWithTheirOutputsInOrder() {
        String wf = createWorkflow("""
                {'name': 'echo-each', 'output': {'all': '${tasks.each.output}', 'n': '${tasks.count.output.n}'},
                 'tasks': [
                   {'id': 'each', 'component': 'core', 'action': 'echo', 'for_each': '${input.items}',
                    'input': {'n': '${item}', 'i': '${index}'}},
                   {'id': 'count', 'component': 'core', 'action': 'echo', 'depends_on': ['each'],
                    'input': {'n': '${size(tasks.each.output)}'}}]}""");
        StringBuilder items = new StringBuilder("[");
        for (int i = 0; i < 50; i++) {
            items.append(i == 0 ? "" : ",").append(i * 2);
        }
        String id = start(wf, "{'items': " + items + "]}");
        JsonPath done = awaitFinished(id);

        assertThat(done.getString("status")).isEqualTo("COMPLETED");
        List<Map<String, Object>> all = done.getList("output.all");
        assertThat(all).hasSize(50);
        for (int i = 0; i < 50; i++) {
            assertThat(all.get(i)).containsEntry("n", i * 2).containsEntry("i", i);
        }
        assertThat(done.getInt("output.n")).isEqualTo(50);
        assertThat(done.getString("task_executions.each.status")).isEqualTo("COMPLETED");
        assertThat(done.getMap("task_executions.each.items")).containsEntry("total", 50)
                .containsEntry("completed", 50).containsEntry("running", 0).containsEntry("pending", 0);
        assertThat(done.getMap("task_executions")).doesNotContainKey("each[0]");

        JsonPath page = given().get("/api/executions/" + id + "/tasks/each/items?limit=20&offset=40").then()
                .statusCode(200).extract().jsonPath();
        assertThat(page.getInt("total")).isEqualTo(50);
        assertThat(page.getList("items")).hasSize(10);
        assertThat(page.getString("items[0].task_id")).isEqualTo("each[40]");
        assertThat(page.getString("items[0].status")).isEqualTo("COMPLETED");
        assertThat(page.getInt("items[0].output.n")).isEqualTo(80);
        assertThat(page.getInt("items[0].attempts")).isEqualTo(1);
        assertThat((Object) page.get("next_offset")).isNull();
        assertThat(given().get("/api/executions/" + id + "/tasks/each/items?limit=20").then().statusCode(200)
                .extract().jsonPath().getInt("next_offset")).isEqualTo(20);

        List<Map<String, Object>> events = allEvents(id);
        assertThat(events).filteredOn(e -> "ForEachExpanded".equals(e.get("type"))).singleElement()
                .satisfies(e -> assertThat(data(e)).containsEntry("count", 50)
                        .containsEntry("max_parallel", 10));
    }

    @Test
    void sleepItemsNeverRunMoreThanMaxParallelAtOnce() {
        String wf = createWorkflow("""
                {'name': 'sleep-each', 'tasks': [
                   {'id': 'nap', 'component': 'core', 'action': 'sleep', 'for_each': '${input.items}',
                    'max_parallel': 3, 'input': {'ms': '${item}'}}]}""");
        String id = start(wf, "{'items': [30, 10, 50, 20, 10, 40, 30, 10, 20, 10, 30, 20]}");
        JsonPath done = awaitFinished(id);
        assertThat(done.getString("status")).isEqualTo("COMPLETED");
        assertThat(done.getList("task_executions.nap.output")).hasSize(12);

        int running = 0;
        int most = 0;
        List<String> startedOrder = new ArrayList<>();
        for (Map<String, Object> e : allEvents(id)) {
            String task = taskOf(e);
            if (task == null || !task.startsWith("nap[")) {
                continue;
            }
            if ("TaskStarted".equals(e.get("type"))) {
                running++;
                startedOrder.add(task);
            } else if (List.of("TaskCompleted", "TaskFailed", "TaskCanceled").contains(e.get("type"))) {
                running--;
            }
            most = Math.max(most, running);
        }
        assertThat(most).isEqualTo(3);
        assertThat(startedOrder).containsExactly("nap[0]", "nap[1]", "nap[2]", "nap[3]", "nap[4]", "nap[5]",
                "nap[6]", "nap[7]", "nap[8]", "nap[9]", "nap[10]", "nap[11]");
    }

    @Test
    void anItemThatFailsFailsTheTaskAndTheItemsEndpointShowsWhy() {
        String wf = createWorkflow("""
                {'name': 'fail-each', 'tasks': [
                   {'id': 'nap', 'component': 'core', 'action': 'sleep', 'for_each': '${input.items}',
                    'max_parallel': 1, 'input': {'ms': '${item}'}}]}""");
        String id = start(wf, "{'items': [0, -1, 200, 200, 200]}");
        JsonPath done = awaitFinished(id);
        assertThat(done.getString("status")).isEqualTo("FAILED");
        assertThat(done.getString("error.task_id")).isEqualTo("nap");
        assertThat(done.getString("task_executions.nap.error.message")).startsWith("item 1 of task 'nap' failed: ");
        JsonPath items = given().get("/api/executions/" + id + "/tasks/nap/items").then().statusCode(200).extract()
                .jsonPath();
        assertThat(items.getList("items.status")).containsExactly("COMPLETED", "FAILED", "CANCELED", "CANCELED",
                "CANCELED");
        assertThat(items.getString("items[2].error.type")).isEqualTo("FOR_EACH_FAILED");
    }

    @Test
    void theItemsOfATaskWithoutForEachAreRefusedNamingTheTask() {
        String wf = createWorkflow("{'name': 'plain', 'tasks': [{'id': 'a', 'component': 'core', 'action': 'echo',"
                + " 'input': {}}]}");
        String id = start(wf, "{}");
        awaitFinished(id);
        given().get("/api/executions/" + id + "/tasks/a/items").then().statusCode(422);
        given().get("/api/executions/" + id + "/tasks/nope/items").then().statusCode(422);
        given().get("/api/executions/" + id + "/tasks/a/items?limit=0").then().statusCode(400);
        given().get("/api/executions/00000000-0000-4000-8000-00000000abcd/tasks/a/items").then().statusCode(404);
    }
}
