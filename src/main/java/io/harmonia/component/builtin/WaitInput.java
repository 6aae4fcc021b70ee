package io.harmonia.component.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.domain.execution.ExecutionState;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The input of {@code core.wait}: exactly one of {@code until} (an ISO-8601 instant with offset, e.g.
 * {@code 2026-12-01T09:00:00Z}) or {@code duration} (ISO-8601, e.g. {@code PT48H}, counted from the run's first
 * attempt).
 */
final class WaitInput {
    private WaitInput() {}

    /** Why the input is refused, or null when it is valid. */
    static String problem(JsonNode input) {
        if (input == null || !input.isObject()) {
            return "core.wait expects input {\"until\": <ISO-8601 instant>} or {\"duration\": <ISO-8601 duration>};"
                    + " found " + CoreComponent.describe(input);
        }
        JsonNode until = input.get("until");
        JsonNode duration = input.get("duration");
        boolean hasUntil = until != null && !until.isNull();
        boolean hasDuration = duration != null && !duration.isNull();
        if (hasUntil == hasDuration) {
            return "core.wait expects exactly one of until (an ISO-8601 instant such as 2026-12-01T09:00:00Z) and"
                    + " duration (an ISO-8601 duration such as PT48H); found " + (hasUntil ? "both" : "neither");
        }
        if (hasUntil) {
            try {
                Instant.parse(until.asText());
                return until.isTextual() ? null : "core.wait expects until to be a string; found "
                        + CoreComponent.describe(until);
            } catch (DateTimeParseException e) {
                return "core.wait expects until to be an ISO-8601 instant with a time zone offset such as"
                        + " 2026-12-01T09:00:00Z; found " + CoreComponent.describe(until);
            }
        }
        try {
            Duration d = Duration.parse(duration.asText());
            if (!duration.isTextual() || d.isNegative()) {
                return "core.wait expects duration to be a non-negative ISO-8601 duration such as PT48H; found "
                        + CoreComponent.describe(duration);
            }
            return null;
        } catch (DateTimeParseException e) {
            return "core.wait expects duration to be an ISO-8601 duration such as PT48H or PT0.5S; found "
                    + CoreComponent.describe(duration);
        }
    }

    /** When a valid wait that (first) started at {@code from} is done; null for an invalid input. */
    static Instant dueAt(JsonNode input, Instant from) {
        if (problem(input) != null) {
            return null;
        }
        JsonNode until = input.get("until");
        if (until != null && !until.isNull()) {
            return Instant.parse(until.asText());
        }
        try {
            return from.plus(Duration.parse(input.get("duration").asText()));
        } catch (DateTimeException | ArithmeticException tooFar) {
            return ExecutionState.NEVER;
        }
    }
}
