package io.harmonia.api;

import static io.harmonia.api.Api.awaitFinished;
import static io.harmonia.api.Api.createWorkflow;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, "one request can freeze the service": hostile expressions end the execution FAILED with an
 * {@code EXPRESSION_ERROR} that names the limit, quickly, while {@code /q/health/live} keeps answering.
 */
@QuarkusTest
class ExpressionBudgetApiTest {

    /** Generous for a loaded CI machine; before the budgets the liveness probe stalled ~30 s. */
    private static final long LIVENESS_BOUND_MS = 2_000;

    /** {@code "abcabc..."}: never contains the {@code x} the hostile patterns look for. */
    private static String abc(int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append((char) ('a' + i % 3));
        }
        return text.toString();
    }

    /** {@code input.s.matches('(a|b|c)*x0') || input.s.matches('(a|b|c)*x1') || ...}, up to 4,000 characters. */
    private static String regexStorm() {
        StringBuilder expression = new StringBuilder("input.s.matches('(a|b|c)*x0')");
        for (int i = 1; expression.length() < 3_950; i++) {
            expression.append(" || input.s.matches('(a|b|c)*x").append(i).append("')");
        }
        return expression.toString();
    }

    private static String startWith(String workflowId, String inputJson) {
        return given().contentType(ContentType.JSON)
                .body("{\"workflow_id\": \"" + workflowId + "\", \"input\": " + inputJson + "}")
                .post("/api/executions").then().statusCode(201).extract().path("execution_id");
    }

    /** Runs {@code action} while a second thread calls {@code /q/health/live}; returns the slowest answer, in ms. */
    private static long slowestLivenessDuring(Runnable action) throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService prober = Executors.newSingleThreadExecutor();
        try {
            Future<Long> slowest = prober.submit(() -> {
                long max = 0;
                do {
                    long start = System.nanoTime();
                    given().get("/q/health/live").then().statusCode(200);
                    max = Math.max(max, (System.nanoTime() - start) / 1_000_000);
                } while (!done.get());
                return max;
            });
            try {
                action.run();
            } finally {
                done.set(true);
            }
            return slowest.get(30, TimeUnit.SECONDS);
        } finally {
            prober.shutdownNow();
        }
    }

    @Test
    void fieldsOfRegexMatchesOverAMillionCharactersFailWithTheCostBudget() throws Exception {
        String storm = regexStorm().replace("'", "\\u0027");
        String wf = createWorkflow("""
                {"name": "regex-storm", "tasks": [
                  {"id": "t", "component": "core", "action": "echo",
                   "input": {"a": "${%1$s}", "b": "${%1$s}", "c": "${%1$s}"}}]}""".formatted(storm));
        String input = "{\"s\": \"" + abc(1_000_000) + "\"}";

        JsonPath[] done = new JsonPath[1];
        long start = System.nanoTime();
        long slowest = slowestLivenessDuring(() -> done[0] = awaitFinished(startWith(wf, input)));
        System.out.printf("regex storm: FAILED after %d ms (start request included), slowest /q/health/live %d ms%n",
                (System.nanoTime() - start) / 1_000_000, slowest);

        assertThat(done[0].getString("status")).isEqualTo("FAILED");
        assertThat(done[0].getString("error.type")).isEqualTo("EXPRESSION_ERROR");
        assertThat(done[0].getString("error.task_id")).isEqualTo("t");
        assertThat(done[0].getString("error.message"))
                .contains("input of task 't' failed")
                .contains("above the cost budget of 50000000 units")
                .contains("harmonia.expressions.max-cost");
        assertThat(slowest).isLessThan(LIVENESS_BOUND_MS);
    }

    @Test
    void aReplaceChainOfABillionCharactersFailsWithALimitInsteadOfExhaustingTheHeap() throws Exception {
        String chain = "size(\\u0027a\\u0027" + ".replace(\\u0027a\\u0027,\\u0027aaaaaaaaaa\\u0027)".repeat(9) + ")";
        String wf = createWorkflow("""
                {"name": "replace-chain", "tasks": [
                  {"id": "t", "component": "core", "action": "echo", "input": {"n": "${%s}"}}]}""".formatted(chain));

        JsonPath[] done = new JsonPath[1];
        long start = System.nanoTime();
        long slowest = slowestLivenessDuring(() -> done[0] = awaitFinished(startWith(wf, "{}")));
        System.out.printf("replace chain: FAILED after %d ms, slowest /q/health/live %d ms%n",
                (System.nanoTime() - start) / 1_000_000, slowest);

        assertThat(done[0].getString("status")).isEqualTo("FAILED");
        assertThat(done[0].getString("error.type")).isEqualTo("EXPRESSION_ERROR");
        assertThat(done[0].getString("error.message"))
                .contains("stopped: replace")
                .containsPattern("harmonia\\.expressions\\.max-(cost|string-length)");
        assertThat(slowest).isLessThan(LIVENESS_BOUND_MS);
    }
}
