package io.harmonia.api;

import static io.harmonia.api.Api.awaitFinished;
import static io.harmonia.api.Api.createWorkflow;
import static io.harmonia.api.Api.events;
import static io.harmonia.api.Api.json;
import static io.harmonia.api.Api.start;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harmonia.domain.HistoryFixtures;
import io.harmonia.domain.HistoryFixtures.Fixture;
import io.harmonia.domain.HistoryFixtures.Stored;
import io.harmonia.eventstore.StreamIds;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.ArrayList;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A DAG's trigger rules ({@code run_if}) and error handlers through the API: what runs after a failure, what the
 * handler sees, what the view and the events show, and 422 answers for bad definitions.
 */
@QuarkusTest
class DagRulesApiTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Pool pool;

    private static final String ORDER = """
            {'name': 'order-with-cleanup', 'tasks': [
              {'id': 'load', 'component': 'core', 'action': 'echo', 'input': {'n': 1}},
              {'id': 'charge', 'component': 'core', 'action': 'fail', 'depends_on': ['load'],
               'input': {'error_type': 'CLIENT_ERROR', 'message': 'card declined'}},
              {'id': 'ship', 'component': 'core', 'action': 'echo', 'depends_on': ['charge']},
              {'id': 'notify', 'component': 'core', 'action': 'echo', 'depends_on': ['load'], 'run_if': 'any_failed'},
              {'id': 'report', 'component': 'core', 'action': 'echo', 'depends_on': ['charge', 'ship'],
               'run_if': 'all_done', 'input': {'charge': '${tasks.charge.status}', 'ship': '${tasks.ship.status}'}},
              {'id': 'cleanup', 'component': 'core', 'action': 'echo',
               'input': {'type': '${error.type}', 'task': '${error.task_id}', 'message': '${error.message}'}},
              {'id': 'on_timeout', 'component': 'core', 'action': 'echo'}],
             'error_handlers': [{'error_type': 'TIMEOUT', 'handler_task': 'on_timeout'},
                                {'error_type': '*', 'handler_task': 'cleanup'}]}""";

    @Test
    void aFailureRunsTheAllDoneReportAndTheCleanupHandlerWithTheErrorAndTheExecutionStillFails() {
        String id = start(createWorkflow(ORDER), "{}");
        JsonPath view = awaitFinished(id);

        assertThat(view.getString("status")).isEqualTo("FAILED");
        assertThat(view.getString("error.type")).isEqualTo("CLIENT_ERROR");
        assertThat(view.getString("error.task_id")).isEqualTo("charge");
        assertThat(view.getString("task_executions.charge.status")).isEqualTo("FAILED");
        assertThat(view.getString("task_executions.ship.status")).isEqualTo("SKIPPED");
        assertThat(view.getString("task_executions.ship.error.type")).isEqualTo("UPSTREAM_FAILED");
        assertThat(view.getString("task_executions.notify.status")).isEqualTo("SKIPPED");
        assertThat(view.getString("task_executions.notify.error.type")).isEqualTo("RUN_IF_UNMET");
        assertThat(view.getString("task_executions.report.status")).isEqualTo("COMPLETED");
        assertThat(view.getMap("task_executions.report.output"))
                .containsExactlyInAnyOrderEntriesOf(Map.of("charge", "FAILED", "ship", "SKIPPED"));
        assertThat(view.getString("task_executions.cleanup.status")).isEqualTo("COMPLETED");
        assertThat(view.getMap("task_executions.cleanup.output")).containsExactlyInAnyOrderEntriesOf(
                Map.of("type", "CLIENT_ERROR", "task", "charge", "message", "card declined"));
        assertThat(view.getString("task_executions.on_timeout.status")).isEqualTo("SKIPPED");
        assertThat(view.getString("task_executions.on_timeout.error.type")).isEqualTo("NOT_NEEDED");

        List<Map<String, Object>> items = events(id).getList("items");
        List<String> types = items.stream().map(e -> (String) e.get("type")).toList();
        int transition = types.indexOf("TransitionTaken");
        assertThat(transition).isPositive();
        @SuppressWarnings("unchecked")
        Map<String, Object> route = (Map<String, Object>) items.get(transition).get("data");
        assertThat(route).containsEntry("from_task", "charge").containsEntry("to_task", "cleanup")
                .containsEntry("via", "error_handler").containsEntry("index", 1)
                .containsEntry("error_type", "CLIENT_ERROR").containsEntry("message", "card declined");
        assertThat(types.stream().filter("TransitionTaken"::equals).count()).isEqualTo(1);
        // the handler is decided right after the route, and the execution ends after the handler did
        assertThat(taskEvent(items, transition + 1)).isEqualTo("TaskScheduled:cleanup");
        int cleanupDone = indexOf(items, "TaskCompleted", "cleanup");
        assertThat(cleanupDone).isGreaterThan(transition);
        assertThat(types.indexOf("ExecutionFailed")).isGreaterThan(cleanupDone);
        assertThat(types).last().isEqualTo("ExecutionFailed");

        // today's decider decides the same from the stored history; recorded into the corpus when asked
        given().get("/api/executions/" + id + "/verify").then().statusCode(200).body("result", equalTo("same"));
        if (Boolean.getBoolean("harmonia.histories.record")) {
            List<Stored> stored = stored(id);
            HistoryFixtures.write(new Fixture("dag-error-handler", "A DAG whose charge task fails: ship skipped"
                    + " (UPSTREAM_FAILED), notify (run_if any_failed on a completed task) RUN_IF_UNMET, report (run_if"
                    + " all_done) runs, the '*' error handler cleanup runs after a TransitionTaken (via error_handler)"
                    + " with the error in its input, the TIMEOUT handler is NOT_NEEDED; the execution FAILS",
                    stored.get(0).payload().get("workflow_id").asText(), 1, readTree(json(ORDER)), stored));
        }
    }

    private List<Stored> stored(String executionId) {
        List<Stored> out = new ArrayList<>();
        for (Row r : pool.preparedQuery("select stream_version, event_type, schema_version, payload::text from events"
                + " where stream_id = $1 order by stream_version").execute(Tuple.of(StreamIds.execution(executionId)))
                .await().indefinitely()) {
            out.add(new Stored(r.getInteger(0), r.getString(1), r.getShort(2), readTree(r.getString(3))));
        }
        return out;
    }

    private static com.fasterxml.jackson.databind.JsonNode readTree(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void withoutAFailureTheHandlersAreNotNeededAndTheAnyFailedTaskIsSkipped() {
        String wf = createWorkflow(ORDER.replace("'action': 'fail'", "'action': 'echo'"));
        JsonPath view = awaitFinished(start(wf, "{}"));
        assertThat(view.getString("status")).isEqualTo("COMPLETED");
        assertThat(view.getString("task_executions.report.status")).isEqualTo("COMPLETED");
        assertThat(view.getString("task_executions.cleanup.error.type")).isEqualTo("NOT_NEEDED");
        assertThat(view.getString("task_executions.on_timeout.error.type")).isEqualTo("NOT_NEEDED");
        assertThat(view.getString("task_executions.notify.error.type")).isEqualTo("RUN_IF_UNMET");
    }

    @Test
    void badTriggerRulesAndHandlersAreAllAnsweredAtOnceWithPointers() {
        given().contentType(ContentType.JSON).body(json("""
                {'name': 'bad-rules', 'tasks': [
                  {'id': 'a', 'component': 'core', 'action': 'echo', 'run_if': 'all_succeeded'},
                  {'id': 'b', 'component': 'core', 'action': 'echo', 'depends_on': ['a'], 'run_if': 'sometimes'},
                  {'id': 'h', 'component': 'core', 'action': 'echo', 'depends_on': ['a']},
                  {'id': 'k', 'component': 'core', 'action': 'echo'},
                  {'id': 'd', 'component': 'core', 'action': 'echo', 'depends_on': ['k']}],
                 'error_handlers': [{'error_type': '*', 'handler_task': 'ghost'},
                                    {'error_type': 'TIMEOUT', 'handler_task': 'h'},
                                    {'error_type': 'TIMEOUT', 'handler_task': 'k'},
                                    {'handler_task': 'k'}, 'cleanup']}"""))
                .post("/api/workflows").then().statusCode(422).contentType("application/problem+json")
                .body("status", equalTo(422))
                .body("errors.pointer", hasItems("/tasks/0/run_if", "/tasks/1/run_if",
                        "/error_handlers/0/handler_task", "/error_handlers/1/handler_task", "/tasks/4/depends_on/0", "/error_handlers/3/error_type",
                        "/error_handlers/4"))
                .body("errors.detail", hasItem(containsString("ghost")))
                .body("errors.detail", hasItem(containsString("sometimes")))
                .body("errors.detail", hasItem(containsString("depends on error handler task 'k'")));
    }

    private static String taskEvent(List<Map<String, Object>> items, int i) {
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) items.get(i).get("data");
        return items.get(i).get("type") + ":" + data.get("task_id");
    }

    private static int indexOf(List<Map<String, Object>> items, String type, String taskId) {
        for (int i = 0; i < items.size(); i++) {
            if (type.equals(items.get(i).get("type")) && (type + ":" + taskId).equals(taskEvent(items, i))) {
                return i;
            }
        }
        return -1;
    }
}
