package io.harmonia.component.builtin;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The definition-time check of a literal input (one without templates) of the core waits: {@code core.wait} (see
 * {@link WaitInput}) and {@code core.wait_for_signal} ({@code {"name": <signal name>, "timeout_ms"?: <non-negative
 * integer>}}). The same input with templates is checked when the task is dispatched (VALIDATION_ERROR).
 */
public final class CoreInputChecks {
    private CoreInputChecks() {}

    /** Why the literal input of core action {@code action} is refused, or null when it is valid (or not checked). */
    public static String problem(String action, JsonNode input) {
        if (CoreComponent.WAIT.equals(action)) {
            return WaitInput.problem(input);
        }
        if (CoreComponent.WAIT_FOR_SIGNAL.equals(action)) {
            return waitForSignal(input);
        }
        return null;
    }

    private static String waitForSignal(JsonNode input) {
        JsonNode name = input != null && input.isObject() ? input.get("name") : null;
        if (name == null || !name.isTextual() || name.textValue().isEmpty()) {
            return "core.wait_for_signal expects input {\"name\": <signal name>, \"timeout_ms\"?: <non-negative"
                    + " integer>}; found name = " + CoreComponent.describe(name);
        }
        JsonNode timeout = input.get("timeout_ms");
        if (timeout != null && !timeout.isNull() && !(timeout.canConvertToLong() && timeout.isIntegralNumber()
                && timeout.longValue() >= 0)) {
            return "core.wait_for_signal expects timeout_ms to be a non-negative integer (milliseconds); found "
                    + CoreComponent.describe(timeout);
        }
        return null;
    }
}
