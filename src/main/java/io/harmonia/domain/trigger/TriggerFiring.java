package io.harmonia.domain.trigger;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.domain.expression.EvaluationContext;
import io.harmonia.domain.expression.ExpressionEngine;
import io.harmonia.domain.expression.ExpressionException;
import io.harmonia.domain.trigger.TriggerSpec.SignalAction;
import java.time.Instant;
import java.util.Map;

/**
 * What one event does to a trigger, pure: the filter, then the idempotency key, the input mapping and (for a signal
 * action) the correlated execution id. The effects (starting, delivering) are the caller's.
 */
public final class TriggerFiring {
    private TriggerFiring() {}

    /** The outcome of an event. */
    public sealed interface Fire {}

    /** The filter returned false. */
    public record Ignored() implements Fire {}

    /** Start an execution with {@code input}, at most once for {@code key}. */
    public record Start(String key, JsonNode input) implements Fire {}

    /** Deliver signal {@code name} with {@code payload} to {@code executionId}, at most once for {@code key}. */
    public record Signal(String key, String executionId, String name, JsonNode payload) implements Fire {}

    /** The event cannot be mapped: an expression failed or gave the wrong kind of value. */
    public static final class MappingFailed extends RuntimeException {
        public MappingFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * @param event the event as expressions see it
     * @param defaultKey the key when the spec has no idempotency_key expression (null: none, every event is new)
     * @param defaultInput the input when the spec has no input mapping
     * @param now the clock, for {@code now()} in expressions
     */
    public static Fire plan(String triggerId, TriggerSpec spec, ExpressionEngine expressions, JsonNode event,
            String defaultKey, JsonNode defaultInput, Instant now) {
        EvaluationContext context = new EvaluationContext(null, Map.of(), null, spec.workflowId(), null, null, now,
                "trigger:" + triggerId).withEvent(event);
        ExpressionEngine engine = expressions.withSharedBudget();
        try {
            if (spec.filter() != null && !engine.test(spec.filter(), context)) {
                return new Ignored();
            }
            String key = defaultKey;
            if (spec.idempotencyKey() != null) {
                key = text(engine.resolve(wrap(spec.idempotencyKey()), context), "idempotency_key");
            }
            JsonNode input = spec.input() == null ? defaultInput : engine.resolve(spec.input(), context);
            if (spec.action() instanceof SignalAction s) {
                return new Signal(key,
                        text(engine.resolve(wrap(s.executionId()), context), "action.signal.execution_id"), s.name(),
                        s.payload() == null ? input : engine.resolve(s.payload(), context));
            }
            return new Start(key, input);
        } catch (ExpressionException e) {
            throw new MappingFailed("trigger '" + triggerId + "': " + e.getMessage(), e);
        }
    }

    private static JsonNode wrap(String expression) {
        return com.fasterxml.jackson.databind.node.TextNode.valueOf("${" + expression + "}");
    }

    private static String text(JsonNode value, String field) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            throw new MappingFailed("expected " + field + " to give a string or a number, found null", null);
        }
        if (value.isValueNode()) {
            String s = value.asText();
            if (s.isEmpty()) {
                throw new MappingFailed("expected " + field + " to give a non-empty string, found ''", null);
            }
            return s;
        }
        return value.toString();
    }
}
