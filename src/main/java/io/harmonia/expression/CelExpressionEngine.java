package io.harmonia.expression;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelSourceLocation;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionResolver;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.cel.runtime.CelVariableResolver;
import io.harmonia.domain.expression.EvaluationContext;
import io.harmonia.domain.expression.ExpressionEngine;
import io.harmonia.domain.expression.ExpressionException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@link ExpressionEngine} on <a href="https://github.com/google/cel-java">cel-java</a>: expressions are CEL.
 *
 * <h2>Variables</h2>
 *
 * <ul>
 *   <li>{@code input} ({@code dyn}): the execution input.
 *   <li>{@code tasks} ({@code map(string, dyn)}): per task id, {@code tasks.task1.output.value},
 *       {@code tasks.task1.status}, {@code tasks.task1.error}.
 *   <li>{@code execution} ({@code map(string, dyn)}): {@code execution.id}, {@code execution.workflow_id},
 *       {@code execution.started_at} (ISO-8601 UTC text with milliseconds, the format of {@code now()}).
 *   <li>{@code state} ({@code dyn}): the execution's state scope, an empty map when the context has none.
 * </ul>
 *
 * <p>The functions Harmonia adds ({@code now()}, {@code uuid()}, {@code formatDate}, {@code parseJson},
 * {@code toJson}) are listed in {@link FunctionRegistry}; the CEL standard library, its macros and the cel-java
 * string extension are available too.
 *
 * <h2>Templates</h2>
 *
 * A string that is exactly one {@code ${expr}} (whitespace allowed inside the braces) resolves to the JSON value of
 * {@code expr}; placeholders inside a longer string are interpolated (strings as they are, {@code null} as
 * {@code null}, anything else as compact JSON). <code>$${</code> is a literal <code>${</code>. A <code>}</code> inside
 * a CEL string literal or closing a <code>{</code> of the expression does not end a placeholder (see
 * {@link TemplateString}). Object keys are not templates. One {@code resolve} call is one evaluation: its
 * {@code uuid()} counter runs across all placeholders, in document order.
 *
 * <h2>Numbers</h2>
 *
 * JSON integral numbers become CEL {@code int} and other numbers CEL {@code double} (see {@link CelValues}), so
 * {@code input.n > 0} and {@code tasks.t.output.value * 2} work on integers and give integers. Comparisons between
 * {@code int}, {@code uint} and {@code double} work ({@code input.x > 1} with {@code x = 1.5} is true), because the
 * engine turns on cel-java's {@code enableHeterogeneousNumericComparisons}. Arithmetic does not mix: {@code input.x +
 * 1} with a double {@code x} fails at run time with "no matching overload" (write {@code input.x + 1.0} or
 * {@code double(input.n) / 2.0}); integer overflow is an error, not a wrap-around.
 *
 * <h2>Sandbox and limits</h2>
 *
 * CEL reaches no Java class, reflection, clock or I/O; the only ways out are the declared variables and functions.
 * {@link Limits} bounds the text of an expression, the iterations of all comprehensions of one evaluation (cel-java's
 * {@code comprehensionMaxIterations}) and the JSON size of each expression's result.
 *
 * <h2>Errors</h2>
 *
 * {@link #check} and {@link #checkTemplate} report compile problems as text. {@link #resolve} and {@link #test} throw
 * {@link ExpressionException} for everything that goes wrong (invalid expression, missing key, division by zero,
 * type errors, exhausted budget, oversized result...), with a message that names the expression and CEL's reason.
 *
 * <h2>Threads</h2>
 *
 * Instances are immutable apart from a bounded cache of compiled programs ({@value #MAX_CACHED_PROGRAMS} entries,
 * some of which are dropped when it is full) and may be shared by any number of threads.
 */
public final class CelExpressionEngine implements ExpressionEngine {

    /** How many compiled expressions are kept. */
    static final int MAX_CACHED_PROGRAMS = 10_000;

    private static final int MAX_QUOTED_EXPRESSION = 200;
    private static final int MAX_QUOTED_VALUE = 100;
    private static final Pattern CEL_EVAL_PREFIX =
            Pattern.compile("^evaluation error(?: at <input>:(\\d+))?: ", Pattern.DOTALL);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /**
     * Resource limits.
     *
     * @param maxResultBytes the largest JSON serialization, in bytes, of one expression's result
     * @param maxComprehensionIterations the most iterations all comprehensions ({@code map}, {@code filter},
     *     {@code all}, {@code exists}...) of one evaluation may take together
     * @param maxExpressionLength the longest expression accepted, in characters
     */
    public record Limits(int maxResultBytes, int maxComprehensionIterations, int maxExpressionLength) {

        public static final int DEFAULT_MAX_RESULT_BYTES = 1024 * 1024;
        public static final int DEFAULT_MAX_COMPREHENSION_ITERATIONS = 10_000;
        public static final int DEFAULT_MAX_EXPRESSION_LENGTH = 4096;

        public Limits {
            if (maxResultBytes <= 0 || maxComprehensionIterations <= 0 || maxExpressionLength <= 0) {
                throw new IllegalArgumentException("limits must be positive: " + maxResultBytes + ", "
                        + maxComprehensionIterations + ", " + maxExpressionLength);
            }
        }

        /** 1 MiB results, 10,000 comprehension iterations, 4096-character expressions. */
        public static Limits defaults() {
            return new Limits(
                    DEFAULT_MAX_RESULT_BYTES, DEFAULT_MAX_COMPREHENSION_ITERATIONS, DEFAULT_MAX_EXPRESSION_LENGTH);
        }
    }

    private final Limits limits;
    private final CelCompiler compiler;
    private final CelRuntime runtime;
    private final ConcurrentHashMap<String, Compiled> programs = new ConcurrentHashMap<>();

    public CelExpressionEngine(Limits limits) {
        this.limits = java.util.Objects.requireNonNull(limits, "limits");
        CelOptions options = CelOptions.current()
                .enableHeterogeneousNumericComparisons(true)
                .comprehensionMaxIterations(limits.maxComprehensionIterations())
                .maxExpressionCodePointSize(limits.maxExpressionLength())
                .build();
        this.compiler = CelCompilerFactory.standardCelCompilerBuilder()
                .setOptions(options)
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .addLibraries(CelExtensions.strings())
                .addVar("input", SimpleType.DYN)
                .addVar("tasks", MapType.create(SimpleType.STRING, SimpleType.DYN))
                .addVar("execution", MapType.create(SimpleType.STRING, SimpleType.DYN))
                .addVar("state", SimpleType.DYN)
                .addFunctionDeclarations(FunctionRegistry.declarations())
                .build();
        this.runtime = CelRuntimeFactory.standardCelRuntimeBuilder()
                .setOptions(options)
                .addLibraries(CelExtensions.strings())
                .build();
    }

    public Limits limits() {
        return limits;
    }

    // ---------------------------------------------------------------------------------------------- checking

    @Override
    public List<String> check(String expression) {
        if (expression == null) {
            return List.of("the expression is missing");
        }
        return compiled(expression).problems();
    }

    @Override
    public List<ExpressionProblem> checkTemplate(JsonNode template) {
        List<ExpressionProblem> problems = new ArrayList<>();
        if (template != null) {
            checkNode(template, "", problems);
        }
        return List.copyOf(problems);
    }

    private void checkNode(JsonNode node, String pointer, List<ExpressionProblem> problems) {
        if (node.isTextual()) {
            String text = node.textValue();
            if (!TemplateString.mayHavePlaceholders(text)) {
                return;
            }
            TemplateString parsed = TemplateString.parse(text);
            if (!parsed.isValid()) {
                problems.add(new ExpressionProblem(pointer, text, parsed.error()));
                return;
            }
            for (TemplateString.Segment segment : parsed.segments()) {
                if (segment.isPlaceholder()) {
                    for (String reason : check(segment.expression())) {
                        problems.add(new ExpressionProblem(pointer, segment.expression(), reason));
                    }
                }
            }
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                checkNode(field.getValue(), pointer + "/" + escapePointerToken(field.getKey()), problems);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkNode(node.get(i), pointer + "/" + i, problems);
            }
        }
    }

    /** RFC 6901: {@code ~} is written {@code ~0} and {@code /} is written {@code ~1}. */
    static String escapePointerToken(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    // ---------------------------------------------------------------------------------------------- evaluating

    @Override
    public JsonNode resolve(JsonNode template, EvaluationContext context) {
        java.util.Objects.requireNonNull(context, "context");
        if (template == null) {
            return NullNode.getInstance();
        }
        return resolveNode(template, new Evaluation(context));
    }

    @Override
    public boolean test(String condition, EvaluationContext context) {
        java.util.Objects.requireNonNull(context, "context");
        if (condition == null || condition.isBlank()) {
            throw new ExpressionException(String.valueOf(condition), "the condition is empty");
        }
        String expression = conditionExpression(condition);
        Object value = evaluate(expression, new Evaluation(context));
        if (value instanceof Boolean b) {
            return b;
        }
        throw new ExpressionException(expression, "condition '" + quote(expression) + "' yielded "
                + CelValues.celTypeName(value) + " " + describeValue(value) + ", expected a boolean");
    }

    /** A condition is a plain expression or exactly one {@code ${...}} around one. */
    private static String conditionExpression(String condition) {
        String trimmed = condition.strip();
        if (trimmed.startsWith("${")) {
            TemplateString parsed = TemplateString.parse(trimmed);
            if (parsed.isValid() && parsed.isSinglePlaceholder()) {
                return parsed.segments().get(0).expression();
            }
        }
        return trimmed;
    }

    private JsonNode resolveNode(JsonNode node, Evaluation evaluation) {
        if (node.isTextual()) {
            return resolveText(node, evaluation);
        }
        if (node.isObject()) {
            ObjectNode resolved = NODES.objectNode();
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                resolved.set(field.getKey(), resolveNode(field.getValue(), evaluation));
            }
            return resolved;
        }
        if (node.isArray()) {
            ArrayNode resolved = NODES.arrayNode(node.size());
            for (JsonNode element : node) {
                resolved.add(resolveNode(element, evaluation));
            }
            return resolved;
        }
        return node;
    }

    private JsonNode resolveText(JsonNode node, Evaluation evaluation) {
        String text = node.textValue();
        if (!TemplateString.mayHavePlaceholders(text)) {
            return node;
        }
        TemplateString parsed = TemplateString.parse(text);
        if (!parsed.isValid()) {
            throw new ExpressionException(text, "template '" + quote(text) + "' is invalid: " + parsed.error());
        }
        if (!parsed.hasPlaceholders()) {
            return NODES.textNode(parsed.literalText());
        }
        if (parsed.isSinglePlaceholder()) {
            return evaluateToJson(parsed.segments().get(0).expression(), evaluation);
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (TemplateString.Segment segment : parsed.segments()) {
            if (!segment.isPlaceholder()) {
                out.append(segment.literal());
                continue;
            }
            JsonNode value = evaluateToJson(segment.expression(), evaluation);
            if (value.isTextual()) {
                out.append(value.textValue());
            } else {
                out.append(compactJson(segment.expression(), value));
            }
        }
        return NODES.textNode(out.toString());
    }

    private JsonNode evaluateToJson(String expression, Evaluation evaluation) {
        Object value = evaluate(expression, evaluation);
        JsonNode json;
        try {
            json = CelValues.toJson(value);
        } catch (CelValues.UnsupportedValueException e) {
            throw new ExpressionException(
                    expression, "expression '" + quote(expression) + "' yielded a value without JSON form: "
                            + e.getMessage());
        }
        long size = serializedSize(expression, json);
        if (size > limits.maxResultBytes()) {
            throw new ExpressionException(expression, "result of expression '" + quote(expression) + "' is " + size
                    + " bytes, above the limit of " + limits.maxResultBytes());
        }
        return json;
    }

    /** Runs one expression; every failure becomes an {@link ExpressionException} naming it. */
    private Object evaluate(String expression, Evaluation evaluation) {
        Compiled compiled = compiled(expression);
        if (compiled.program() == null) {
            throw new ExpressionException(expression, "expression '" + quote(expression) + "' is invalid: "
                    + String.join("; ", compiled.problems()));
        }
        try {
            return compiled.program().eval(evaluation.variables(), evaluation.functions());
        } catch (CelEvaluationException e) {
            throw new ExpressionException(
                    expression, "expression '" + quote(expression) + "' failed: " + reason(e), e);
        } catch (ExpressionException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            throw new ExpressionException(
                    expression, "expression '" + quote(expression) + "' failed: " + describeThrowable(e), e);
        }
    }

    /** CEL's reason without its {@code evaluation error at <input>:12:} prefix (the offset is kept). */
    private static String reason(CelEvaluationException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        Matcher prefix = CEL_EVAL_PREFIX.matcher(message);
        String reason = message;
        if (prefix.find()) {
            reason = message.substring(prefix.end());
            if (prefix.group(1) != null) {
                reason = reason + " (at offset " + prefix.group(1) + ")";
            }
        }
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && !message.contains(cause.getMessage())) {
            reason = reason + ": " + cause.getMessage();
        }
        return reason.isEmpty() ? e.getClass().getSimpleName() : reason;
    }

    private static String describeThrowable(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": "
                + e.getMessage();
    }

    // ---------------------------------------------------------------------------------------------- compiling

    /** A compiled expression, or why it does not compile. */
    private record Compiled(CelRuntime.Program program, List<String> problems) {}

    private Compiled compiled(String expression) {
        Compiled cached = programs.get(expression);
        if (cached != null) {
            return cached;
        }
        Compiled fresh = compile(expression);
        if (expression.length() <= limits.maxExpressionLength()) {
            if (programs.size() >= MAX_CACHED_PROGRAMS) {
                evictSome();
            }
            Compiled raced = programs.putIfAbsent(expression, fresh);
            if (raced != null) {
                return raced;
            }
        }
        return fresh;
    }

    /** Drops about a tenth of the cache, in no particular order. */
    private void evictSome() {
        int target = MAX_CACHED_PROGRAMS - MAX_CACHED_PROGRAMS / 10;
        Iterator<String> keys = programs.keySet().iterator();
        while (programs.size() > target && keys.hasNext()) {
            keys.next();
            keys.remove();
        }
    }

    private Compiled compile(String expression) {
        if (expression.length() > limits.maxExpressionLength()) {
            return new Compiled(null, List.of("the expression is " + expression.length()
                    + " characters long, above the limit of " + limits.maxExpressionLength()));
        }
        if (expression.isBlank()) {
            return new Compiled(null, List.of("the expression is empty"));
        }
        try {
            CelValidationResult result = compiler.compile(expression);
            if (result.hasError()) {
                List<String> problems = new ArrayList<>();
                for (CelIssue issue : result.getErrors()) {
                    problems.add(describeIssue(issue));
                }
                return new Compiled(null, List.copyOf(problems));
            }
            return new Compiled(runtime.createProgram(result.getAst()), List.of());
        } catch (Exception | StackOverflowError e) {
            return new Compiled(null, List.of("cannot compile: " + describeThrowable(e)));
        }
    }

    /** {@code 1:5: undeclared reference to 'x' (in container '')}: line and 1-based column, then CEL's message. */
    private static String describeIssue(CelIssue issue) {
        CelSourceLocation location = issue.getSourceLocation();
        if (location == null || location.getLine() <= 0 || location.getColumn() < 0) {
            return issue.getMessage();
        }
        return location.getLine() + ":" + (location.getColumn() + 1) + ": " + issue.getMessage();
    }

    // ---------------------------------------------------------------------------------------------- helpers

    /**
     * One {@code resolve} or {@code test} call: its variables, converted from JSON lazily and once, and its function
     * bindings (which carry the {@code uuid()} counter). Used by one thread.
     */
    private static final class Evaluation {
        private final EvaluationContext context;
        private final Map<String, Object> converted = new HashMap<>();
        private final CelFunctionResolver functions;
        private final CelVariableResolver variables = this::variable;

        Evaluation(EvaluationContext context) {
            this.context = context;
            this.functions = FunctionRegistry.bindingsFor(context);
        }

        CelVariableResolver variables() {
            return variables;
        }

        CelFunctionResolver functions() {
            return functions;
        }

        private Optional<Object> variable(String name) {
            Object value = converted.get(name);
            if (value == null) {
                value = convert(name);
                if (value == null) {
                    return Optional.empty();
                }
                converted.put(name, value);
            }
            return Optional.of(value);
        }

        private Object convert(String name) {
            try {
                return switch (name) {
                    case "input" -> CelValues.fromJson(context.input());
                    case "tasks" -> tasks();
                    case "execution" -> execution();
                    case "state" -> context.state() == null ? Map.of() : CelValues.fromJson(context.state());
                    default -> null;
                };
            } catch (CelValues.UnsupportedValueException e) {
                throw new ExpressionException(name, "variable '" + name + "' cannot be read: " + e.getMessage());
            }
        }

        private Map<String, Object> tasks() {
            if (context.tasks() == null || context.tasks().isEmpty()) {
                return Map.of();
            }
            Map<String, Object> tasks = new LinkedHashMap<>();
            context.tasks().forEach((id, task) -> tasks.put(id, CelValues.fromJson(task)));
            return Collections.unmodifiableMap(tasks);
        }

        private Map<String, Object> execution() {
            Map<String, Object> execution = new LinkedHashMap<>();
            execution.put("id", textOrNull(context.executionId()));
            execution.put("workflow_id", textOrNull(context.workflowId()));
            execution.put(
                    "started_at",
                    context.startedAt() == null
                            ? com.google.protobuf.NullValue.NULL_VALUE
                            : DateFunctions.isoMillis(context.startedAt()));
            return Collections.unmodifiableMap(execution);
        }

        private static Object textOrNull(String text) {
            return text == null ? com.google.protobuf.NullValue.NULL_VALUE : text;
        }
    }

    private static String compactJson(String expression, JsonNode value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new ExpressionException(expression, "expression '" + quote(expression)
                    + "' yielded a value that cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static long serializedSize(String expression, JsonNode value) {
        CountingStream counter = new CountingStream();
        try {
            JSON.writeValue(counter, value);
        } catch (IOException e) {
            throw new ExpressionException(expression, "expression '" + quote(expression)
                    + "' yielded a value that cannot be written as JSON: " + e.getMessage(), e);
        }
        return counter.count;
    }

    /** Counts bytes and keeps none. */
    private static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }

    private static String describeValue(Object value) {
        String text;
        try {
            text = JSON.writeValueAsString(CelValues.toJson(value));
        } catch (JsonProcessingException | CelValues.UnsupportedValueException e) {
            text = String.valueOf(value);
        }
        return abbreviate(text, MAX_QUOTED_VALUE);
    }

    private static String quote(String expression) {
        return abbreviate(expression, MAX_QUOTED_EXPRESSION);
    }

    private static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "...";
    }
}
