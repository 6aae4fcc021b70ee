package io.harmonia.component.builtin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.component.ActionDescription;
import io.harmonia.component.Component;
import io.harmonia.component.TaskInvocation;
import io.harmonia.component.TaskResult;
import io.harmonia.domain.definition.ErrorTypes;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The built-in {@code core} component: small actions for wiring workflows together and for testing them.
 *
 * <ul>
 *   <li>{@code echo} and {@code transform}: the output is the resolved input, unchanged ({@code transform} is the
 *       same action, named for intent: the reshaping happens in the input expressions).
 *   <li>{@code sleep}: input {@code {"ms": 1500}}; a durable delay that ends {@code ms} after the first attempt of
 *       the run started, so an attempt re-run after a restart only waits for what is left. Output
 *       {@code {"slept_ms": 1500}}.
 *   <li>{@code wait}: input {@code {"until": "2026-12-01T09:00:00Z"}} or {@code {"duration": "PT48H"}} (ISO-8601,
 *       from the first attempt of the run); a durable wait: a timer in the execution's row, no memory and no thread
 *       held. Output {@code {"waited_until": "..."}}.
 *   <li>{@code wait_for_signal}: input {@code {"name": "approval", "timeout_ms": 172800000}}; waits until a signal of
 *       that name arrives (its output is the signal's payload) or {@code timeout_ms} passes (TIMEOUT). The decider
 *       completes it when the signal is recorded ({@code SignalRules}); it is never invoked with a valid input.
 *   <li>{@code fail}: input {@code {"error_type": "SERVER_ERROR", "message": "boom", "retriable": true}}; fails on
 *       purpose with that error.
 * </ul>
 */
@ApplicationScoped
public class CoreComponent implements Component {

    public static final String NAME = "core";
    public static final String ECHO = "echo";
    public static final String TRANSFORM = "transform";
    public static final String SLEEP = "sleep";
    public static final String FAIL = "fail";
    public static final String WAIT = "wait";
    public static final String WAIT_FOR_SIGNAL = "wait_for_signal";

    public static final Set<String> ACTIONS = Set.of(ECHO, TRANSFORM, SLEEP, FAIL, WAIT, WAIT_FOR_SIGNAL);

    static final String DEFAULT_FAIL_MESSAGE = "failed on purpose";
    private static final Pattern ERROR_TYPE = Pattern.compile("[A-Z][A-Z0-9_]*");

    private final Clock clock;

    @Inject
    public CoreComponent(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> actions() {
        return ACTIONS;
    }

    @Override
    public String description() {
        return "Built-in actions for wiring workflows together and testing them: echo, transform, sleep, wait,"
                + " wait_for_signal, fail.";
    }

    @Override
    public Optional<ActionDescription> describeAction(String action) {
        return Optional.ofNullable(DESCRIPTIONS.get(action));
    }

    private static final Map<String, ActionDescription> DESCRIPTIONS = Map.of(
            ECHO, new ActionDescription("Completes at once; its output is its resolved input, unchanged.",
                    schema("{}"), schema("{\"description\": \"the resolved input\"}")),
            TRANSFORM, new ActionDescription("The same as echo, named for intent: the reshaping happens in the"
                    + " input's expressions.", schema("{}"), schema("{\"description\": \"the resolved input\"}")),
            SLEEP, new ActionDescription("A durable delay: ends ms after the first attempt of the run started, so an"
                    + " attempt re-run after a restart waits only for what is left.",
                    schema("{\"type\": \"object\", \"required\": [\"ms\"], \"properties\": {\"ms\":"
                            + " {\"type\": \"integer\", \"minimum\": 0}}}"),
                    schema("{\"type\": \"object\", \"properties\": {\"slept_ms\": {\"type\": \"integer\"}}}")),
            WAIT, new ActionDescription("A durable wait until a time (until, ISO-8601 instant) or for a duration"
                    + " (duration, ISO-8601, from the run's first attempt): no memory or thread is held while it waits.",
                    schema("{\"type\": \"object\", \"oneOf\": [{\"required\": [\"until\"]}, {\"required\":"
                            + " [\"duration\"]}], \"properties\": {\"until\": {\"type\": \"string\", \"format\":"
                            + " \"date-time\", \"description\": \"an ISO-8601 instant with an offset, e.g."
                            + " 2026-12-01T09:00:00Z\"}, \"duration\": {\"type\": \"string\", \"description\":"
                            + " \"an ISO-8601 duration of days to seconds, e.g. PT48H, from the run's first"
                            + " attempt\"}}}"),
                    schema("{\"type\": \"object\", \"properties\": {\"waited_until\": {\"type\": \"string\"}}}")),
            WAIT_FOR_SIGNAL, new ActionDescription("Waits for the signal name (POST"
                    + " /api/executions/{id}/signals/{name}, the signals topic, or a trigger); its output is the signal's"
                    + " payload. A signal that came before the wait started is kept for it. timeout_ms ends the wait"
                    + " with TIMEOUT.",
                    schema("{\"type\": \"object\", \"required\": [\"name\"], \"properties\": {\"name\":"
                            + " {\"type\": \"string\", \"minLength\": 1}, \"timeout_ms\": {\"type\": \"integer\","
                            + " \"minimum\": 0}}}"),
                    schema("{\"description\": \"the signal's payload\"}")),
            FAIL, new ActionDescription("Fails on purpose with the given error (default SERVER_ERROR, retriable as"
                    + " that type is by default).",
                    schema("{\"type\": \"object\", \"properties\": {\"error_type\": {\"type\": \"string\","
                            + " \"pattern\": \"^[A-Z][A-Z0-9_]*$\"}, \"message\": {\"type\": \"string\"},"
                            + " \"retriable\": {\"type\": \"boolean\"}}}"),
                    null));

    private static JsonNode schema(String json) {
        try {
            return new ObjectMapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a built-in action schema is not valid JSON: " + json, e);
        }
    }

    /** echo, transform and fail finish at once with no side effect: the engine runs them inline. */
    @Override
    public boolean runsInline(String action) {
        return ECHO.equals(action) || TRANSFORM.equals(action) || FAIL.equals(action);
    }

    @Override
    public TaskResult invokeInline(TaskInvocation invocation) {
        return switch (invocation.action()) {
            case ECHO, TRANSFORM -> TaskResult.success(orNull(invocation.input()));
            case FAIL -> fail(invocation.input());
            default -> throw new IllegalStateException("Expected an inline action of core (echo, transform, fail),"
                    + " found '" + invocation.action() + "'");
        };
    }

    @Override
    public Uni<TaskResult> invoke(TaskInvocation invocation) {
        try {
            String action = invocation.action();
            if (action == null) {
                return Uni.createFrom().item(unknownAction(null));
            }
            return switch (action) {
                case ECHO, TRANSFORM -> Uni.createFrom().item(TaskResult.success(orNull(invocation.input())));
                case SLEEP -> sleep(invocation);
                case WAIT -> Uni.createFrom().item(waited(invocation));
                case WAIT_FOR_SIGNAL -> Uni.createFrom().item(waitForSignal(invocation.input()));
                case FAIL -> Uni.createFrom().item(fail(invocation.input()));
                default -> Uni.createFrom().item(unknownAction(action));
            };
        } catch (RuntimeException e) {
            // Defensive: a component reports failures as results, never as a failed Uni.
            return Uni.createFrom().item(TaskResult.failure(ErrorTypes.COMPONENT_ERROR,
                    "core." + invocation.action() + " failed unexpectedly: " + e, false));
        }
    }

    /**
     * A sleep is a durable timer: it is done {@code ms} after the first attempt of its run started; a wait at its
     * time; a wait for a signal never by itself (the signal, or its deadline, ends it).
     */
    @Override
    public Instant wakesAt(TaskInvocation invocation) {
        if (WAIT.equals(invocation.action())) {
            return WaitInput.dueAt(invocation.input(), invocation.firstStartedAt() == null ? clock.instant()
                    : invocation.firstStartedAt());
        }
        if (WAIT_FOR_SIGNAL.equals(invocation.action())) {
            return waitForSignal(invocation.input()) instanceof TaskResult.Failure ? null
                    : io.harmonia.domain.execution.ExecutionState.NEVER;
        }
        if (!SLEEP.equals(invocation.action())) {
            return null;
        }
        JsonNode input = invocation.input();
        Long ms = nonNegativeInteger(input != null && input.isObject() ? input.get("ms") : null);
        if (ms == null) {
            return null;
        }
        Instant from = invocation.firstStartedAt() == null ? clock.instant() : invocation.firstStartedAt();
        try {
            return from.plusMillis(ms);
        } catch (java.time.DateTimeException | ArithmeticException tooFar) {
            return io.harmonia.domain.execution.ExecutionState.NEVER;
        }
    }

    /** A wait invoked at (or after) its time completes; one invoked with an input it refuses fails. */
    private TaskResult waited(TaskInvocation invocation) {
        Instant from = invocation.firstStartedAt() == null ? clock.instant() : invocation.firstStartedAt();
        String problem = WaitInput.problem(invocation.input());
        if (problem != null) {
            return TaskResult.failure(ErrorTypes.VALIDATION_ERROR, problem, false);
        }
        Instant due = WaitInput.dueAt(invocation.input(), from);
        ObjectNode output = JsonNodeFactory.instance.objectNode();
        output.put("waited_until", due.toString());
        return TaskResult.success(output);
    }

    /** A valid wait for a signal is pending (the decider completes it); an invalid one fails. */
    private static TaskResult waitForSignal(JsonNode input) {
        JsonNode name = input != null && input.isObject() ? input.get("name") : null;
        if (name == null || !name.isTextual() || name.textValue().isEmpty()) {
            return TaskResult.failure(ErrorTypes.VALIDATION_ERROR, "core.wait_for_signal expects input {\"name\":"
                    + " <signal name>, \"timeout_ms\"?: <non-negative integer>}; found name = " + describe(name),
                    false);
        }
        JsonNode timeout = input.get("timeout_ms");
        if (timeout != null && !timeout.isNull() && nonNegativeInteger(timeout) == null) {
            return TaskResult.failure(ErrorTypes.VALIDATION_ERROR, "core.wait_for_signal expects timeout_ms to be a"
                    + " non-negative integer; found " + describe(timeout), false);
        }
        return TaskResult.pending();
    }

    private Uni<TaskResult> sleep(TaskInvocation invocation) {
        JsonNode input = invocation.input();
        JsonNode msNode = input != null && input.isObject() ? input.get("ms") : null;
        Long requested = nonNegativeInteger(msNode);
        if (requested == null) {
            return Uni.createFrom().item(TaskResult.failure(ErrorTypes.VALIDATION_ERROR,
                    "core.sleep expects input {\"ms\": <non-negative integer>}; found "
                            + (input == null || input.isNull() || input.isMissingNode()
                                    ? "no input"
                                    : input.isObject() ? "ms = " + describe(msNode) : "input " + describe(input)),
                    false));
        }
        long ms = requested;
        long remaining = remainingMillis(invocation.firstStartedAt(), ms, clock.instant());
        ObjectNode output = JsonNodeFactory.instance.objectNode();
        if (ms <= Integer.MAX_VALUE) {
            output.put("slept_ms", (int) ms);
        } else {
            output.put("slept_ms", ms);
        }
        TaskResult result = TaskResult.success(output);
        if (remaining <= 0) {
            return Uni.createFrom().item(result);
        }
        return Uni.createFrom().item(result).onItem().delayIt().by(Duration.ofMillis(remaining));
    }

    /**
     * How long a sleep of {@code ms} that (first) started at {@code firstStartedAt} still has to wait at {@code now}:
     * {@code firstStartedAt + ms - now}, never negative and never more than {@code ms} (a clock that went backwards
     * does not lengthen the delay). A missing {@code firstStartedAt} means the sleep starts now.
     */
    static long remainingMillis(Instant firstStartedAt, long ms, Instant now) {
        if (firstStartedAt == null) {
            return ms;
        }
        long elapsed;
        try {
            elapsed = Duration.between(firstStartedAt, now).toMillis();
        } catch (ArithmeticException e) {
            elapsed = now.isAfter(firstStartedAt) ? Long.MAX_VALUE : 0;
        }
        if (elapsed <= 0) {
            return ms;
        }
        return Math.max(0, ms - elapsed);
    }

    private static TaskResult fail(JsonNode input) {
        if (input != null && !input.isNull() && !input.isMissingNode() && !input.isObject()) {
            return TaskResult.failure(ErrorTypes.VALIDATION_ERROR,
                    "core.fail expects an object input {\"error_type\": ..., \"message\": ..., \"retriable\": ...};"
                            + " found " + describe(input),
                    false);
        }
        JsonNode typeNode = input == null ? null : input.get("error_type");
        JsonNode messageNode = input == null ? null : input.get("message");
        JsonNode retriableNode = input == null ? null : input.get("retriable");

        String errorType = ErrorTypes.SERVER_ERROR;
        if (typeNode != null && !typeNode.isNull()) {
            if (!typeNode.isTextual() || !ERROR_TYPE.matcher(typeNode.textValue()).matches()) {
                return TaskResult.failure(ErrorTypes.VALIDATION_ERROR,
                        "core.fail expects error_type to be an upper-case error type such as \"SERVER_ERROR\""
                                + " (letters, digits, '_'); found " + describe(typeNode),
                        false);
            }
            errorType = typeNode.textValue();
        }

        String message = DEFAULT_FAIL_MESSAGE;
        if (messageNode != null && !messageNode.isNull()) {
            message = messageNode.isTextual() ? messageNode.textValue() : messageNode.toString();
        }

        boolean retriable = ErrorTypes.RETRIABLE_BY_DEFAULT.contains(errorType);
        if (retriableNode != null && !retriableNode.isNull()) {
            if (!retriableNode.isBoolean()) {
                return TaskResult.failure(ErrorTypes.VALIDATION_ERROR,
                        "core.fail expects retriable to be a boolean; found " + describe(retriableNode), false);
            }
            retriable = retriableNode.booleanValue();
        }
        return TaskResult.failure(errorType, message, retriable);
    }

    private static TaskResult unknownAction(String action) {
        return TaskResult.failure(ErrorTypes.VALIDATION_ERROR,
                "component '" + NAME + "' has no action '" + action + "'; expected one of " + new TreeSet<>(ACTIONS),
                false);
    }

    /** The value as a non-negative long when it is an integral JSON number (1500 or 1500.0), else null. */
    private static Long nonNegativeInteger(JsonNode node) {
        if (node == null || !node.isNumber()) {
            return null;
        }
        if (node.isIntegralNumber()) {
            if (!node.canConvertToLong()) {
                return null;
            }
            long value = node.longValue();
            return value >= 0 ? value : null;
        }
        double d = node.doubleValue();
        if (d >= 0 && d == Math.rint(d) && d <= Long.MAX_VALUE) {
            return (long) d;
        }
        return null;
    }

    private static JsonNode orNull(JsonNode node) {
        return node == null || node.isMissingNode() ? NullNode.instance : node;
    }

    /** A short description of a JSON value for error messages: its text and its JSON type. */
    public static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing (missing)";
        }
        String text = node.toString();
        if (text.length() > 80) {
            text = text.substring(0, 77) + "...";
        }
        return text + " (" + jsonType(node) + ")";
    }

    static String jsonType(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "missing";
        }
        return switch (node.getNodeType()) {
            case OBJECT, POJO -> "object";
            case ARRAY -> "array";
            case STRING, BINARY -> "string";
            case NUMBER -> node.isIntegralNumber() ? "integer" : "number";
            case BOOLEAN -> "boolean";
            case NULL -> "null";
            case MISSING -> "missing";
        };
    }
}
