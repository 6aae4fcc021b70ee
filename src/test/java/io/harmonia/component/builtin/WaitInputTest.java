package io.harmonia.component.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harmonia.component.TaskInvocation;
import io.harmonia.component.TaskResult;
import io.harmonia.domain.definition.ErrorTypes;
import io.harmonia.domain.execution.ExecutionState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** core.wait's input: what it accepts, when it is due, what it answers when invoked, and what it refuses. */
class WaitInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-26T08:00:00Z");
    private static final Instant FIRST_STARTED = Instant.parse("2026-11-26T07:59:00Z");

    private final CoreComponent core = new CoreComponent(Clock.fixed(NOW, ZoneOffset.UTC));

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static TaskInvocation waitOf(String input, Instant firstStartedAt, int attempt) {
        return new TaskInvocation("e1", "wf", "w", 1, attempt, CoreComponent.WAIT, input == null ? null : json(input),
                firstStartedAt, null);
    }

    private TaskResult invoke(String input) {
        return core.invoke(waitOf(input, FIRST_STARTED, 1)).await().atMost(Duration.ofSeconds(5));
    }

    @Nested
    @DisplayName("given until")
    class Until {
        @Test
        void isDueAtThatInstantWhateverTheFirstStart() {
            assertThat(core.wakesAt(waitOf("{'until': '2026-12-01T09:00:00Z'}", FIRST_STARTED, 1)))
                    .isEqualTo(Instant.parse("2026-12-01T09:00:00Z"));
            assertThat(core.wakesAt(waitOf("{'until': '2026-12-01T09:00:00Z'}", null, 3)))
                    .isEqualTo(Instant.parse("2026-12-01T09:00:00Z"));
        }

        @Test
        void acceptsAnOffsetAndFractionsOfASecond() {
            assertThat(core.wakesAt(waitOf("{'until': '2026-12-01T10:00:00.250+01:00'}", FIRST_STARTED, 1)))
                    .isEqualTo(Instant.parse("2026-12-01T09:00:00.250Z"));
        }

        @Test
        void inThePastIsDueAtOnce() {
            Instant due = core.wakesAt(waitOf("{'until': '2020-01-01T00:00:00Z'}", FIRST_STARTED, 1));
            assertThat(due).isBefore(NOW);
        }

        @Test
        void whenInvokedCompletesWithTheInstantItWaitedUntil() {
            assertThat(invoke("{'until': '2026-12-01T09:00:00Z'}"))
                    .isEqualTo(TaskResult.success(json("{'waited_until': '2026-12-01T09:00:00Z'}")));
        }

        @Test
        void aNullDurationBesideItIsIgnored() {
            assertThat(WaitInput.problem(json("{'until': '2026-12-01T09:00:00Z', 'duration': null}"))).isNull();
        }
    }

    @Nested
    @DisplayName("given duration")
    class Of {
        @Test
        void countsFromTheRunsFirstAttemptSoARetryDoesNotRestartTheClock() {
            Instant first = core.wakesAt(waitOf("{'duration': 'PT48H'}", FIRST_STARTED, 1));
            Instant third = core.wakesAt(waitOf("{'duration': 'PT48H'}", FIRST_STARTED, 3));
            assertThat(first).isEqualTo(FIRST_STARTED.plus(Duration.ofHours(48))).isEqualTo(third);
        }

        @Test
        void countsFromNowWhenTheRunHasNotStartedYet() {
            assertThat(core.wakesAt(waitOf("{'duration': 'PT0.5S'}", null, 1))).isEqualTo(NOW.plusMillis(500));
        }

        @Test
        void ofZeroIsDueAtOnce() {
            assertThat(core.wakesAt(waitOf("{'duration': 'PT0S'}", FIRST_STARTED, 1))).isEqualTo(FIRST_STARTED);
        }

        @Test
        void acceptsDays() {
            assertThat(core.wakesAt(waitOf("{'duration': 'P2D'}", FIRST_STARTED, 1)))
                    .isEqualTo(FIRST_STARTED.plus(Duration.ofDays(2)));
        }

        @Test
        void beyondTheLastInstantNeverFallsDue() {
            assertThat(core.wakesAt(waitOf("{'duration': 'PT2562047788015215H'}", FIRST_STARTED, 1)))
                    .isEqualTo(ExecutionState.NEVER);
        }

        @Test
        void whenInvokedCompletesWithTheInstantItWaitedUntil() {
            assertThat(invoke("{'duration': 'PT1M'}"))
                    .isEqualTo(TaskResult.success(json("{'waited_until': '2026-11-26T08:00:00Z'}")));
        }
    }

    @Nested
    @DisplayName("given an input it refuses")
    class Refused {
        private static final List<String> REFUSED = List.of("null", "'PT1H'", "[]", "{}",
                "{'until': null, 'duration': null}", "{'until': '2026-12-01T09:00:00Z', 'duration': 'PT1H'}",
                "{'until': 'tomorrow'}", "{'until': '2026-12-01 09:00'}", "{'until': '2026-12-01T09:00:00'}",
                "{'until': 1764579600000}", "{'duration': 'P1M'}", "{'duration': '-PT1S'}", "{'duration': '48h'}",
                "{'duration': 3600}", "{'duration': 'PT9999999999999999999H'}");

        @Test
        void noTimerIsKeptAndTheInvocationFailsWithAValidationError() {
            SoftAssertions softly = new SoftAssertions();
            for (String input : REFUSED) {
                softly.assertThat(core.wakesAt(waitOf(input, FIRST_STARTED, 1))).as("due time of %s", input).isNull();
                TaskResult result = invoke(input);
                softly.assertThat(result).as("result of %s", input).isInstanceOf(TaskResult.Failure.class);
                if (result instanceof TaskResult.Failure failure) {
                    softly.assertThat(failure.errorType()).as("error of %s", input)
                            .isEqualTo(ErrorTypes.VALIDATION_ERROR);
                    softly.assertThat(failure.retriable()).as("retriable, %s", input).isFalse();
                    softly.assertThat(failure.message()).as("message of %s", input).startsWith("core.wait expects");
                }
            }
            softly.assertAll();
        }

        @Test
        void namesWhatWasExpectedAndWhatWasFound() {
            assertThat(WaitInput.problem(json("{'until': 'tomorrow'}"))).isEqualTo("core.wait expects until to be an"
                    + " ISO-8601 instant with a time zone offset such as 2026-12-01T09:00:00Z; found \"tomorrow\""
                    + " (string)");
            assertThat(WaitInput.problem(json("{'duration': '-PT1S'}"))).isEqualTo("core.wait expects duration to be a"
                    + " non-negative ISO-8601 duration such as PT48H; found \"-PT1S\" (string)");
            assertThat(WaitInput.problem(json("{}"))).endsWith("found neither");
            assertThat(WaitInput.problem(json("{'until': '2026-12-01T09:00:00Z', 'duration': 'PT1H'}")))
                    .endsWith("found both");
            assertThat(WaitInput.problem(null)).endsWith("found nothing (missing)");
        }
    }

    @Test
    void itsDescriptionSaysExactlyOneOfUntilAndDuration() {
        JsonNode schema = core.describeAction(CoreComponent.WAIT).orElseThrow().input();
        assertThat(schema.path("oneOf").toString())
                .isEqualTo("[{\"required\":[\"until\"]},{\"required\":[\"duration\"]}]");
        assertThat(schema.path("properties").path("until").path("format").asText()).isEqualTo("date-time");
    }
}
