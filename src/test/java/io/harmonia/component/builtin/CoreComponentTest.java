package io.harmonia.component.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harmonia.component.TaskInvocation;
import io.harmonia.component.TaskResult;
import io.harmonia.domain.definition.ErrorTypes;
import io.smallrye.mutiny.Uni;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CoreComponentTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");

    private final CoreComponent core = new CoreComponent(Clock.fixed(NOW, ZoneOffset.UTC));

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private Uni<TaskResult> invoke(String action, JsonNode input, Instant firstStartedAt) {
        return core.invoke(new TaskInvocation("e1", "wf", "t1", 1, 1, action, input, firstStartedAt, null));
    }

    private TaskResult call(String action, String input) {
        return invoke(action, input == null ? null : json(input), NOW).await().atMost(Duration.ofSeconds(5));
    }

    private static TaskResult.Failure failure(TaskResult result) {
        assertThat(result).isInstanceOf(TaskResult.Failure.class);
        return (TaskResult.Failure) result;
    }

    @Test
    void describesItself() {
        assertThat(core.name()).isEqualTo("core");
        assertThat(core.actions()).containsExactlyInAnyOrder("echo", "transform", "sleep", "fail", "wait", "wait_for_signal");
    }

    @Test
    void echoReturnsTheInputUnchanged() {
        JsonNode input = json("{\"a\": [1, {\"b\": null}], \"s\": \"x\"}");
        TaskResult result = invoke("echo", input, NOW).await().atMost(Duration.ofSeconds(5));
        assertThat(result).isEqualTo(TaskResult.success(input));
        assertThat(call("echo", "42")).isEqualTo(TaskResult.success(json("42")));
        assertThat(call("echo", null)).isEqualTo(TaskResult.success(json("null")));
    }

    @Test
    void transformIsEcho() {
        assertThat(call("transform", "{\"total\": 12.5}")).isEqualTo(TaskResult.success(json("{\"total\": 12.5}")));
    }

    @Test
    void sleepWaitsOnlyForWhatIsLeftSinceTheFirstAttemptStarted() {
        long start = System.nanoTime();
        TaskResult result = invoke("sleep", json("{\"ms\": 1500}"), NOW.minusMillis(1400))
                .await().atMost(Duration.ofSeconds(5));
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(result).isEqualTo(TaskResult.success(json("{\"slept_ms\": 1500}")));
        assertThat(elapsed).isBetween(80L, 1_000L);
    }

    @Test
    void sleepWaitsTheWholeDelayOnAFirstAttempt() {
        long start = System.nanoTime();
        TaskResult result = invoke("sleep", json("{\"ms\": 200}"), NOW).await().atMost(Duration.ofSeconds(5));
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(result).isEqualTo(TaskResult.success(json("{\"slept_ms\": 200}")));
        assertThat(elapsed).isGreaterThanOrEqualTo(180L);
    }

    @Test
    void sleepThatIsAlreadyOverCompletesAtOnce() {
        long start = System.nanoTime();
        TaskResult result = invoke("sleep", json("{\"ms\": 60000}"), NOW.minusSeconds(120))
                .await().atMost(Duration.ofSeconds(5));
        assertThat(result).isEqualTo(TaskResult.success(json("{\"slept_ms\": 60000}")));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1_000L);
        assertThat(call("sleep", "{\"ms\": 0}")).isEqualTo(TaskResult.success(json("{\"slept_ms\": 0}")));
    }

    @Test
    void remainingTimeIsNeverNegativeNorLongerThanTheDelay() {
        assertThat(CoreComponent.remainingMillis(NOW.minusMillis(1400), 1500, NOW)).isEqualTo(100);
        assertThat(CoreComponent.remainingMillis(NOW.minusMillis(2000), 1500, NOW)).isZero();
        assertThat(CoreComponent.remainingMillis(NOW, 1500, NOW)).isEqualTo(1500);
        // a clock behind the recorded start does not lengthen the delay
        assertThat(CoreComponent.remainingMillis(NOW.plusSeconds(30), 1500, NOW)).isEqualTo(1500);
        assertThat(CoreComponent.remainingMillis(null, 1500, NOW)).isEqualTo(1500);
        assertThat(CoreComponent.remainingMillis(Instant.MIN, 1500, Instant.MAX)).isZero();
    }

    @Test
    void sleepRejectsBadInput() {
        for (String input : new String[] {
                "{\"ms\": -1}", "{\"ms\": \"1500\"}", "{\"ms\": 1.5}", "{}", "{\"ms\": null}", "[1500]", "1500",
        }) {
            TaskResult.Failure f = failure(call("sleep", input));
            assertThat(f.errorType()).as(input).isEqualTo(ErrorTypes.VALIDATION_ERROR);
            assertThat(f.retriable()).as(input).isFalse();
            assertThat(f.message()).as(input).contains("non-negative integer");
        }
        TaskResult.Failure f = failure(call("sleep", "{\"ms\": \"soon\"}"));
        assertThat(f.message()).contains("\"soon\"", "string");
        assertThat(failure(call("sleep", null)).message()).contains("no input");
        // an integral floating-point value (as expressions may produce) is fine
        assertThat(call("sleep", "{\"ms\": 5.0}")).isEqualTo(TaskResult.success(json("{\"slept_ms\": 5}")));
    }

    @Test
    void failUsesTheGivenTypeMessageAndRetriable() {
        assertThat(call("fail", "{\"error_type\": \"CLIENT_ERROR\", \"message\": \"bad order\"}"))
                .isEqualTo(TaskResult.failure("CLIENT_ERROR", "bad order", false));
        assertThat(call("fail", "{\"error_type\": \"TIMEOUT\", \"message\": \"slow\"}"))
                .isEqualTo(TaskResult.failure("TIMEOUT", "slow", true));
        assertThat(call("fail", "{\"error_type\": \"SERVER_ERROR\", \"message\": \"boom\", \"retriable\": false}"))
                .isEqualTo(TaskResult.failure("SERVER_ERROR", "boom", false));
        assertThat(call("fail", "{\"error_type\": \"PAYMENT_DECLINED\", \"retriable\": true}"))
                .isEqualTo(TaskResult.failure("PAYMENT_DECLINED", "failed on purpose", true));
    }

    @Test
    void failDefaults() {
        assertThat(call("fail", "{}")).isEqualTo(TaskResult.failure("SERVER_ERROR", "failed on purpose", true));
        assertThat(call("fail", null)).isEqualTo(TaskResult.failure("SERVER_ERROR", "failed on purpose", true));
        assertThat(call("fail", "{\"message\": \"boom\"}"))
                .isEqualTo(TaskResult.failure("SERVER_ERROR", "boom", true));
    }

    @Test
    void failRejectsBadInput() {
        for (String input : new String[] {
                "{\"error_type\": 5}", "{\"error_type\": \"not upper\"}", "{\"retriable\": \"yes\"}", "\"boom\"",
        }) {
            TaskResult.Failure f = failure(call("fail", input));
            assertThat(f.errorType()).as(input).isEqualTo(ErrorTypes.VALIDATION_ERROR);
            assertThat(f.retriable()).as(input).isFalse();
        }
    }

    @Test
    void unknownActionIsAValidationError() {
        TaskResult.Failure f = failure(call("explode", "{}"));
        assertThat(f.errorType()).isEqualTo(ErrorTypes.VALIDATION_ERROR);
        assertThat(f.retriable()).isFalse();
        assertThat(f.message())
                .isEqualTo("component 'core' has no action 'explode'; expected one of [echo, fail, sleep, transform, wait, wait_for_signal]");
    }
}
