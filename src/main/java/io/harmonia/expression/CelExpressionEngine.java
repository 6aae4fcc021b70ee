package io.harmonia.expression;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelSourceLocation;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelEvaluationListener;
import dev.cel.runtime.CelFunctionResolver;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.cel.runtime.CelVariableResolver;
import io.harmonia.domain.expression.EvaluationContext;
import io.harmonia.domain.expression.ExpressionEngine;
import io.harmonia.domain.expression.ExpressionException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 *   <li>{@code event} ({@code dyn}): in an event trigger's expressions only, the event that fired it (a Kafka
 *       record or an HTTP call; see {@link EvaluationContext#event()}); unbound elsewhere.
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
 * {@link Limits} bounds the text of an expression, the iterations of its comprehensions (cel-java's
 * {@code comprehensionMaxIterations}) and the JSON size of each expression's result. Every evaluation (one
 * {@code resolve} or {@code test} call: all placeholders of a template together) also has a budget ({@link Meter}):
 * cost units charged before the work is done by every node and every function ({@link MeteredFunctions}), a
 * maximum length for every string and list a function builds, a maximum number of expressions, and a wall-clock
 * safety net. {@link #withSharedBudget()} adds one budget over all evaluations of a decision. A limit reached stops
 * the whole evaluation (CEL's non-strict {@code ||} cannot swallow it) with an {@link ExpressionException} whose
 * message names the limit and its configuration property.
 *
 * <h2>Errors</h2>
 *
 * {@link #check} and {@link #checkTemplate} report compile problems as text. {@link #resolve} and {@link #test} throw
 * {@link ExpressionException} for everything that goes wrong (invalid expression, missing key, division by zero,
 * type errors, exhausted budget, oversized string, list or result...), with a message that names the expression and CEL's reason.
 *
 * <h2>Threads</h2>
 *
 * Instances are immutable apart from a bounded cache of compiled programs ({@value #MAX_CACHED_PROGRAMS} entries,
 * some of which are dropped when it is full) and may be shared by any number of threads.
 */
public final class CelExpressionEngine implements ExpressionEngine {

    /** How many compiled expressions are kept. */
    static final int MAX_CACHED_PROGRAMS = 10_000;

    /** Cost units per character of an expression compiled (a 4,096-character expression takes about 1 ms). */
    static final long COMPILE_COST_PER_CHAR = 1_000;

    private static final int MAX_QUOTED_EXPRESSION = 200;
    private static final int MAX_QUOTED_VALUE = 100;
    private static final Pattern CEL_EVAL_PREFIX =
            Pattern.compile("^evaluation error(?: at <input>:(\\d+))?: ", Pattern.DOTALL);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /**
     * Resource limits. The budgets ({@code maxCost}, {@code maxExpressions}, {@code maxEvaluationMillis}) belong to one
     * evaluation scope: one {@code resolve}/{@code test} call, or all calls through one {@link #withSharedBudget()}
     * view (one decision). See {@link Meter} and {@link MeteredFunctions} for what is charged.
     *
     * @param maxResultBytes the largest JSON serialization, in bytes, of one expression's result
     * @param maxComprehensionIterations the most iterations all comprehensions ({@code map}, {@code filter},
     *     {@code all}, {@code exists}...) of one expression may take together
     * @param maxExpressionLength the longest expression accepted, in characters
     * @param maxCost the cost units one evaluation scope may spend
     * @param maxStringLength the longest string (in UTF-16 characters) or byte string a function may build
     * @param maxListSize the most entries a list or map built by a function may have
     * @param maxExpressions the most expressions (placeholders, conditions) one evaluation scope may evaluate
     * @param maxEvaluationMillis the wall-clock time one evaluation scope may take; 0 turns the clock check off
     * @param maxCostPerDecision the cost units all evaluations through one {@link #withSharedBudget()} view may
     *     spend together
     */
    public record Limits(
            int maxResultBytes,
            int maxComprehensionIterations,
            int maxExpressionLength,
            long maxCost,
            int maxStringLength,
            int maxListSize,
            int maxExpressions,
            long maxEvaluationMillis,
            long maxCostPerDecision) {

        public static final int DEFAULT_MAX_RESULT_BYTES = 1024 * 1024;
        public static final int DEFAULT_MAX_COMPREHENSION_ITERATIONS = 10_000;
        public static final int DEFAULT_MAX_EXPRESSION_LENGTH = 4096;
        public static final long DEFAULT_MAX_COST = 50_000_000;
        public static final int DEFAULT_MAX_STRING_LENGTH = 1024 * 1024;
        public static final int DEFAULT_MAX_LIST_SIZE = 100_000;
        public static final int DEFAULT_MAX_EXPRESSIONS = 1_000;
        public static final long DEFAULT_MAX_EVALUATION_MILLIS = 500;
        public static final long DEFAULT_MAX_COST_PER_DECISION = 200_000_000;

        public Limits {
            if (maxResultBytes <= 0 || maxComprehensionIterations <= 0 || maxExpressionLength <= 0 || maxCost <= 0
                    || maxStringLength <= 0 || maxListSize <= 0 || maxExpressions <= 0 || maxEvaluationMillis < 0
                    || maxCostPerDecision <= 0) {
                throw new IllegalArgumentException("limits must be positive (the evaluation time may be 0): "
                        + maxResultBytes + ", " + maxComprehensionIterations + ", " + maxExpressionLength + ", "
                        + maxCost + ", " + maxStringLength + ", " + maxListSize + ", " + maxExpressions + ", "
                        + maxEvaluationMillis + ", " + maxCostPerDecision);
            }
        }

        /** The three original limits, the budgets at their defaults. */
        public Limits(int maxResultBytes, int maxComprehensionIterations, int maxExpressionLength) {
            this(maxResultBytes, maxComprehensionIterations, maxExpressionLength, DEFAULT_MAX_COST,
                    DEFAULT_MAX_STRING_LENGTH, DEFAULT_MAX_LIST_SIZE, DEFAULT_MAX_EXPRESSIONS,
                    DEFAULT_MAX_EVALUATION_MILLIS, DEFAULT_MAX_COST_PER_DECISION);
        }

        /**
         * 1 MiB results, 10,000 comprehension iterations, 4096-character expressions, 50,000,000 cost units,
         * 1,048,576-character strings, 100,000-entry lists, 1,000 expressions and 500 ms per evaluation, and
         * 200,000,000 cost units per decision.
         */
        public static Limits defaults() {
            return new Limits(
                    DEFAULT_MAX_RESULT_BYTES, DEFAULT_MAX_COMPREHENSION_ITERATIONS, DEFAULT_MAX_EXPRESSION_LENGTH);
        }

        public Limits withMaxCost(long units) {
            return new Limits(maxResultBytes, maxComprehensionIterations, maxExpressionLength, units,
                    maxStringLength, maxListSize, maxExpressions, maxEvaluationMillis, maxCostPerDecision);
        }

        public Limits withMaxExpressions(int count) {
            return new Limits(maxResultBytes, maxComprehensionIterations, maxExpressionLength, maxCost,
                    maxStringLength, maxListSize, count, maxEvaluationMillis, maxCostPerDecision);
        }

        public Limits withMaxEvaluationMillis(long millis) {
            return new Limits(maxResultBytes, maxComprehensionIterations, maxExpressionLength, maxCost,
                    maxStringLength, maxListSize, maxExpressions, millis, maxCostPerDecision);
        }

        public Limits withMaxCostPerDecision(long units) {
            return new Limits(maxResultBytes, maxComprehensionIterations, maxExpressionLength, maxCost,
                    maxStringLength, maxListSize, maxExpressions, maxEvaluationMillis, units);
        }

        public Limits withMaxStringLength(int length) {
            return new Limits(maxResultBytes, maxComprehensionIterations, maxExpressionLength, maxCost,
                    length, maxListSize, maxExpressions, maxEvaluationMillis, maxCostPerDecision);
        }

        public Limits withMaxListSize(int size) {
            return new Limits(maxResultBytes, maxComprehensionIterations, maxExpressionLength, maxCost,
                    maxStringLength, size, maxExpressions, maxEvaluationMillis, maxCostPerDecision);
        }
    }

    private final Limits limits;
    private final CelCompiler compiler;
    private final CelRuntime runtime;
    private final MeteredFunctions functions;
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
                .addVar("output", SimpleType.DYN)
                .addVar("error", SimpleType.DYN)
                .addVar("item", SimpleType.DYN)
                .addVar("index", SimpleType.INT)
                .addVar("signals", MapType.create(SimpleType.STRING, SimpleType.DYN))
                .addVar("event", SimpleType.DYN)
                .addFunctionDeclarations(FunctionRegistry.declarations())
                .build();
        // No function is bound at build time: MeteredFunctions binds every one late, metered, per evaluation.
        this.runtime = CelRuntimeFactory.standardCelRuntimeBuilder()
                .setOptions(options)
                .setStandardEnvironmentEnabled(false)
                .build();
        this.functions = new MeteredFunctions(options);
    }

    public Limits limits() {
        return limits;
    }

    // ---------------------------------------------------------------------------------------------- checking

    @Override
    public List<String> check(String expression) {
        return check(expression, Set.of());
    }

    @Override
    public List<String> check(String expression, Set<String> unbound) {
        if (expression == null) {
            return List.of("the expression is missing");
        }
        Compiled compiled = compiled(expression);
        if (!compiled.problems().isEmpty() || unbound.isEmpty()) {
            return compiled.problems();
        }
        List<String> problems = new ArrayList<>();
        for (String variable : compiled.variables()) {
            if (unbound.contains(variable)) {
                problems.add(unboundReason(variable));
            }
        }
        return List.copyOf(problems);
    }

    private static String unboundReason(String variable) {
        if ("output".equals(variable)) {
            return "'output' is not in scope here: it is bound only in a task's state mapping and in a step's"
                    + " transition conditions (the output of the task or step that completes); read a task's output as"
                    + " tasks.<id>.output";
        }
        if ("item".equals(variable) || "index".equals(variable)) {
            return "'" + variable + "' is not in scope here: it is bound only in the input (config) of a task or"
                    + " step with for_each (the current item and its position from 0)";
        }
        if ("event".equals(variable)) {
            return "'event' is not in scope here: it is bound only in a trigger's filter, input, idempotency_key"
                    + " and signal mapping (the incoming record or call); a workflow reads what the trigger mapped into"
                    + " its input as input.<field>";
        }
        return "'" + variable + "' is not in scope here";
    }

    @Override
    public List<ExpressionProblem> checkTemplate(JsonNode template) {
        return checkTemplate(template, Set.of());
    }

    @Override
    public List<ExpressionProblem> checkTemplate(JsonNode template, Set<String> unbound) {
        List<ExpressionProblem> problems = new ArrayList<>();
        if (template != null) {
            checkNode(template, "", unbound, problems);
        }
        return List.copyOf(problems);
    }

    private void checkNode(JsonNode node, String pointer, Set<String> unbound, List<ExpressionProblem> problems) {
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
                    for (String reason : check(segment.expression(), unbound)) {
                        problems.add(new ExpressionProblem(pointer, segment.expression(), reason));
                    }
                }
            }
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                checkNode(field.getValue(), pointer + "/" + escapePointerToken(field.getKey()), unbound, problems);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkNode(node.get(i), pointer + "/" + i, unbound, problems);
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
        return resolve(template, context, new Meter(limits));
    }

    @Override
    public boolean test(String condition, EvaluationContext context) {
        return test(condition, context, new Meter(limits));
    }

    /**
     * A view of this engine for one decision: each {@code resolve} and {@code test} call keeps its own evaluation
     * budget, and all of them together draw on one decision budget ({@code maxCostPerDecision}), so that many tasks
     * cannot multiply the cost. For one thread; checking is not metered.
     */
    @Override
    public ExpressionEngine withSharedBudget() {
        Meter decision = Meter.forDecision(limits);
        return new ExpressionEngine() {
            @Override
            public List<String> check(String expression) {
                return CelExpressionEngine.this.check(expression);
            }

            @Override
            public List<ExpressionProblem> checkTemplate(JsonNode template) {
                return CelExpressionEngine.this.checkTemplate(template);
            }

            @Override
            public List<String> check(String expression, Set<String> unbound) {
                return CelExpressionEngine.this.check(expression, unbound);
            }

            @Override
            public List<ExpressionProblem> checkTemplate(JsonNode template, Set<String> unbound) {
                return CelExpressionEngine.this.checkTemplate(template, unbound);
            }

            @Override
            public JsonNode resolve(JsonNode template, EvaluationContext context) {
                return CelExpressionEngine.this.resolve(template, context, new Meter(limits, decision));
            }

            @Override
            public boolean test(String condition, EvaluationContext context) {
                return CelExpressionEngine.this.test(condition, context, new Meter(limits, decision));
            }

            @Override
            public ExpressionEngine withSharedBudget() {
                return this;
            }
        };
    }

    private JsonNode resolve(JsonNode template, EvaluationContext context, Meter meter) {
        java.util.Objects.requireNonNull(context, "context");
        if (template == null) {
            return NullNode.getInstance();
        }
        try (Evaluation evaluation = new Evaluation(context, meter, functions)) {
            return resolveNode(template, evaluation);
        }
    }

    private boolean test(String condition, EvaluationContext context, Meter meter) {
        java.util.Objects.requireNonNull(context, "context");
        if (condition == null || condition.isBlank()) {
            throw new ExpressionException(String.valueOf(condition), "the condition is empty");
        }
        String expression = conditionExpression(condition);
        Object value;
        try (Evaluation evaluation = new Evaluation(context, meter, functions)) {
            value = evaluate(expression, evaluation);
        }
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
            try {
                evaluation.meter().checkString(out.length(), "the template string");
            } catch (Meter.LimitExceeded e) {
                throw new ExpressionException(text, "template '" + quote(text) + "' stopped: " + e.getMessage());
            }
        }
        return NODES.textNode(out.toString());
    }

    private JsonNode evaluateToJson(String expression, Evaluation evaluation) {
        Object value = evaluate(expression, evaluation);
        JsonNode json;
        try {
            json = CelValues.toJson(value, evaluation.meter(), "writing the result as JSON");
        } catch (CelValues.UnsupportedValueException e) {
            throw new ExpressionException(
                    expression, "expression '" + quote(expression) + "' yielded a value without JSON form: "
                            + e.getMessage());
        } catch (Meter.LimitExceeded e) {
            throw new ExpressionException(expression, "expression '" + quote(expression) + "' stopped: "
                    + e.getMessage());
        }
        // counted exactly a little past the limit, so that the message can say by how much it is too large
        long countUpTo = limits.maxResultBytes() + 65_536L;
        long size = serializedSize(expression, json, countUpTo);
        if (size > limits.maxResultBytes()) {
            throw new ExpressionException(expression, "result of expression '" + quote(expression) + "' is "
                    + (size > countUpTo ? "more than " + countUpTo : size) + " bytes, above the limit of "
                    + limits.maxResultBytes());
        }
        return json;
    }

    /** Runs one expression; every failure becomes an {@link ExpressionException} naming it. */
    private Object evaluate(String expression, Evaluation evaluation) {
        boolean fresh = !programs.containsKey(expression);
        Compiled compiled = compiled(expression);
        if (compiled.program() == null) {
            throw new ExpressionException(expression, "expression '" + quote(expression) + "' is invalid: "
                    + String.join("; ", compiled.problems()));
        }
        Meter meter = evaluation.meter();
        try {
            meter.countExpression();
            if (fresh) {
                meter.charge(COMPILE_COST_PER_CHAR * expression.length(), "compiling the expression");
            }
            meter.startClock();
            try {
                return compiled.program().trace(evaluation.variables(), evaluation.functions(), evaluation.listener());
            } finally {
                meter.stopClock();
            }
        } catch (Meter.LimitExceeded e) {
            throw stopped(expression, e);
        } catch (CelEvaluationException e) {
            Meter.LimitExceeded limit = limitIn(e);
            if (limit != null) {
                throw stopped(expression, limit);
            }
            throw new ExpressionException(
                    expression, "expression '" + quote(expression) + "' failed: " + reason(e), e);
        } catch (ExpressionException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            Meter.LimitExceeded limit = limitIn(e);
            if (limit != null) {
                throw stopped(expression, limit);
            }
            throw new ExpressionException(
                    expression, "expression '" + quote(expression) + "' failed: " + describeThrowable(e), e);
        }
    }

    private static ExpressionException stopped(String expression, Meter.LimitExceeded limit) {
        return new ExpressionException(expression, "expression '" + quote(expression) + "' stopped: "
                + limit.getMessage());
    }

    /** The limit that stopped an evaluation, when CEL wrapped it in its own exception. */
    private static Meter.LimitExceeded limitIn(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof Meter.LimitExceeded limit) {
                return limit;
            }
        }
        return null;
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

    /** A compiled expression and the variables it reads, or why it does not compile. */
    private record Compiled(CelRuntime.Program program, List<String> problems, Set<String> variables) {
        Compiled(CelRuntime.Program program, List<String> problems) {
            this(program, problems, Set.of());
        }
    }

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
            return new Compiled(runtime.createProgram(result.getAst()), List.of(), variables(result.getAst()));
        } catch (Exception | StackOverflowError e) {
            return new Compiled(null, List.of("cannot compile: " + describeThrowable(e)));
        }
    }

    /**
     * The variables a checked expression reads: its free identifiers (a comprehension's own variables, as in
     * {@code list.map(output, output * 2)}, are bound inside it and do not count).
     */
    private static Set<String> variables(CelAbstractSyntaxTree ast) {
        Set<String> names = new java.util.TreeSet<>();
        freeIdentifiers(ast.getExpr(), Set.of(), names);
        return Set.copyOf(names);
    }

    private static void freeIdentifiers(CelExpr e, Set<String> bound, Set<String> out) {
        switch (e.getKind()) {
            case IDENT -> {
                if (!bound.contains(e.ident().name())) {
                    out.add(e.ident().name());
                }
            }
            case SELECT -> freeIdentifiers(e.select().operand(), bound, out);
            case CALL -> {
                e.call().target().ifPresent(t -> freeIdentifiers(t, bound, out));
                e.call().args().forEach(a -> freeIdentifiers(a, bound, out));
            }
            case LIST -> e.list().elements().forEach(x -> freeIdentifiers(x, bound, out));
            case STRUCT -> e.struct().entries().forEach(x -> freeIdentifiers(x.value(), bound, out));
            case MAP -> e.map().entries().forEach(x -> {
                freeIdentifiers(x.key(), bound, out);
                freeIdentifiers(x.value(), bound, out);
            });
            case COMPREHENSION -> {
                CelExpr.CelComprehension c = e.comprehension();
                freeIdentifiers(c.iterRange(), bound, out);
                freeIdentifiers(c.accuInit(), bound, out);
                Set<String> inner = new java.util.HashSet<>(bound);
                inner.add(c.iterVar());
                inner.add(c.iterVar2());
                inner.add(c.accuVar());
                freeIdentifiers(c.loopCondition(), inner, out);
                freeIdentifiers(c.loopStep(), inner, out);
                freeIdentifiers(c.result(), inner, out);
            }
            default -> {
                // constants: nothing to read
            }
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
     * One {@code resolve} or {@code test} call: its variables, converted from JSON lazily and once, its meter, and a
     * pooled slot of function bindings (which carries the {@code uuid()} counter). Used by one thread; closing it
     * gives the slot back.
     */
    private static final class Evaluation implements AutoCloseable {
        private final EvaluationContext context;
        private final Map<String, Object> converted = new HashMap<>();
        private final Meter meter;
        private final MeteredFunctions pool;
        private final MeteredFunctions.Slot slot;
        private final CelVariableResolver variables = this::variable;
        private final CelEvaluationListener listener;

        Evaluation(EvaluationContext context, Meter meter, MeteredFunctions pool) {
            this.context = context;
            this.meter = meter;
            this.pool = pool;
            this.slot = pool.borrow(meter, context);
            this.listener = (expr, value) -> meter.charge(MeteredFunctions.NODE, "evaluating the expression");
        }

        @Override
        public void close() {
            pool.release(slot);
        }

        Meter meter() {
            return meter;
        }

        CelVariableResolver variables() {
            return variables;
        }

        CelFunctionResolver functions() {
            return slot.resolver();
        }

        CelEvaluationListener listener() {
            return listener;
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
                    case "output" -> context.output() == null ? null : CelValues.fromJson(context.output());
                    case "error" -> context.error() == null ? com.google.protobuf.NullValue.NULL_VALUE
                            : CelValues.fromJson(context.error());
                    case "item" -> context.item() == null ? null : CelValues.fromJson(context.item());
                    case "index" -> context.index() == null ? null : context.index().longValue();
                    case "signals" -> context.signals() == null ? Map.of() : CelValues.fromJson(context.signals());
                    case "event" -> context.event() == null ? null : CelValues.fromJson(context.event());
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

    private static long serializedSize(String expression, JsonNode value, long limit) {
        try {
            return BoundedJson.size(value, limit);
        } catch (IOException e) {
            throw new ExpressionException(expression, "expression '" + quote(expression)
                    + "' yielded a value that cannot be written as JSON: " + e.getMessage(), e);
        }
    }

    private static String describeValue(Object value) {
        try {
            return BoundedJson.abbreviated(CelValues.toJson(value), MAX_QUOTED_VALUE);
        } catch (CelValues.UnsupportedValueException e) {
            return abbreviate(String.valueOf(value), MAX_QUOTED_VALUE);
        }
    }

    private static String quote(String expression) {
        return abbreviate(expression, MAX_QUOTED_EXPRESSION);
    }

    private static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "...";
    }
}
