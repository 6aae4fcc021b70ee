package io.harmonia.domain.definition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.domain.expression.ExpressionEngine;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Reads a workflow definition from its JSON body and reports every problem at once, each with a JSON pointer.
 * Pure: the component catalog, the expression engine and the schema checker are handed in.
 */
public final class DefinitionValidator {

    private static final Set<String> TOP_LEVEL = Set.of("name", "description", "version", "metadata", "input",
            "output", "tasks", "timeout", "timeout_ms", "max_parallel_tasks", "id", "workflow_id", "created_at",
            "updated_at", "steps", "start_at", "error_handlers", "max_iterations");
    private static final Set<String> TASK_FIELDS = Set.of("id", "name", "component", "action", "input", "output",
            "depends_on", "condition", "timeout", "timeout_ms", "retry", "metadata", "state", "checkpoint", "run_if",
            "for_each", "max_parallel");
    private static final Set<String> RETRY_FIELDS = Set.of("max_attempts", "initial_delay_ms", "backoff_factor",
            "max_delay_ms", "jitter", "retriable_errors");

    /**
     * Variables not in scope outside a task's {@code state} mapping: {@code output} (the completing task's output)
     * is bound only there, so a task input, a condition or the workflow output that reads it is refused here
     * rather than failing at run time.
     */
    private static final Set<String> OUTSIDE_STATE_MAPPING = Set.of("output", "item", "index", "event");
    /** In the input of a for_each task, {@code item} and {@code index} are bound. */
    private static final Set<String> IN_FOR_EACH_INPUT = Set.of("output", "event");
    /** A transition's condition sees the step's {@code output}. */
    private static final Set<String> IN_TRANSITION = Set.of("item", "index", "event");
    /** In a task's state mapping everything a workflow has is bound ({@code output} too), but not a trigger's {@code event}. */
    private static final Set<String> IN_STATE_MAPPING = Set.of("event");
    /** The most runs of one step in one execution that a definition may allow. */
    public static final int MAX_ITERATIONS_LIMIT = 1_000_000;

    private final ComponentCatalog components;
    private final ExpressionEngine expressions;
    private final Function<JsonNode, List<Problem>> schemaChecker;
    private final DefinitionLimits limits;

    /** With the default {@link DefinitionLimits}. */
    public DefinitionValidator(ComponentCatalog components, ExpressionEngine expressions,
            Function<JsonNode, List<Problem>> schemaChecker) {
        this(components, expressions, schemaChecker, DefinitionLimits.DEFAULTS);
    }

    /**
     * @param schemaChecker checks an input JSON Schema; returned pointers are relative to the schema
     * @param limits the largest definition accepted
     */
    public DefinitionValidator(ComponentCatalog components, ExpressionEngine expressions,
            Function<JsonNode, List<Problem>> schemaChecker, DefinitionLimits limits) {
        this.components = components;
        this.expressions = expressions;
        this.schemaChecker = schemaChecker;
        this.limits = limits;
    }

    /**
     * The outcome: a definition (id and version still to be assigned) when {@code problems} is empty.
     *
     * @param written the body as it is stored (see {@link DefinitionJson#written}); null when invalid
     */
    public record Result(WorkflowDefinition definition, List<Problem> problems, ObjectNode written) {
        public boolean valid() {
            return problems.isEmpty();
        }
    }

    /** Validates a request body, its size and task count first. */
    public Result validate(JsonNode body) {
        return validate(body, true);
    }

    /**
     * Reads a definition stored earlier: the same checks but the size limits, so lowering a limit never makes a
     * stored version unreadable (executions of it keep running).
     */
    public Result reread(JsonNode stored) {
        return validate(stored, false);
    }

    private Result validate(JsonNode body, boolean checkLimits) {
        List<Problem> problems = new ArrayList<>();
        if (body == null || !body.isObject()) {
            problems.add(new Problem("", "expected a JSON object with name and tasks, found "
                    + (body == null ? "nothing" : body.getNodeType().toString().toLowerCase())));
            return new Result(null, problems, null);
        }
        ObjectNode written = DefinitionJson.written(body);
        if (checkLimits && overLimits(body, written, problems)) {
            return new Result(null, problems, null);
        }
        unknownFields(body, "", TOP_LEVEL, problems);
        assignedFields(body, problems);
        String name = requiredText(body, "name", "", problems);
        String description = optionalText(body, "description", "", problems);
        JsonNode schema = body.get("input");
        if (schema != null && !schema.isNull()) {
            if (!schema.isObject()) {
                problems.add(new Problem("/input", "expected a JSON Schema object, found " + kind(schema)));
            } else {
                for (Problem p : schemaChecker.apply(schema)) {
                    problems.add(new Problem("/input" + p.pointer(), "invalid input schema: " + p.reason()));
                }
            }
        }
        JsonNode output = body.get("output");
        if (output != null && !output.isNull()) {
            templateProblems(output, "/output", OUTSIDE_STATE_MAPPING, problems);
        }
        Long timeoutMs = timeout(body, "", problems);
        Integer maxParallel = null;
        JsonNode mp = body.get("max_parallel_tasks");
        if (mp != null && !mp.isNull()) {
            if (!mp.canConvertToInt() || !mp.isIntegralNumber() || mp.intValue() < 1) {
                problems.add(new Problem("/max_parallel_tasks", "expected a positive integer, found " + mp));
            } else {
                maxParallel = mp.intValue();
            }
        }
        JsonNode stepsNode = body.get("steps");
        boolean stateMachine = stepsNode != null && !stepsNode.isNull();
        JsonNode tasksNode = body.get("tasks");
        if (stateMachine && tasksNode != null && !tasksNode.isNull()) {
            problems.add(new Problem("", "expected either tasks (a DAG joined by depends_on) or steps (a state"
                    + " machine joined by transitions), found both"));
        }
        List<TaskDefinition> tasks = stateMachine
                ? StepReader.steps(stepsNode, (n, p, pr) -> task(n, p, pr, TASK_FIELDS), this::transitionProblems,
                        problems)
                : tasks(tasksNode, problems);
        Language language = stateMachine ? Language.STEPS : Language.TASKS;
        String startAt = optionalText(body, "start_at", "", problems);
        if (startAt != null && !stateMachine) {
            problems.add(new Problem("/start_at", "expected start_at only with steps (a DAG starts at every task"
                    + " without depends_on)"));
        } else if (startAt != null && tasks.stream().noneMatch(t -> t.id().equals(startAt))) {
            problems.add(new Problem("/start_at", "start_at names unknown step '" + startAt + "'; known steps are "
                    + tasks.stream().map(TaskDefinition::id).toList()));
        }
        Integer maxIterations = positiveInt(body, "max_iterations", "", MAX_ITERATIONS_LIMIT, problems);
        List<ErrorRoute> handlers = StepReader.routes(body.get("error_handlers"), "/error_handlers",
                stateMachine ? List.of("handler_step", "handler_task") : List.of("handler_task", "handler_step"),
                problems);
        ErrorHandlers.problems(handlers, tasks, stateMachine, problems);
        JsonNode metadata = body.get("metadata");
        WorkflowDefinition definition = new WorkflowDefinition(null, 0, name, description,
                schema == null || schema.isNull() ? null : schema, output == null || output.isNull() ? null : output,
                tasks, timeoutMs, maxParallel, metadata == null ? NullNode.getInstance() : metadata, language,
                startAt, handlers, maxIterations);
        if (problems.isEmpty() && stateMachine) {
            StepGraph.problems(definition, problems);
        }
        return problems.isEmpty() ? new Result(definition, List.of(), written)
                : new Result(null, List.copyOf(problems), null);
    }

    private boolean overLimits(JsonNode body, ObjectNode written, List<Problem> problems) {
        for (String field : List.of("tasks", "steps")) {
            JsonNode all = body.get(field);
            if (all != null && (all.isArray() || all.isObject()) && all.size() > limits.maxTasks()) {
                problems.add(new Problem("/" + field, "expected at most " + limits.maxTasks() + " " + field
                        + " (harmonia.definitions.max-tasks), found " + all.size()));
                return true;
            }
        }
        int bytes = written.toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > limits.maxDefinitionBytes()) {
            problems.add(new Problem("", "expected a definition of at most " + limits.maxDefinitionBytes() + " bytes"
                    + " (compact JSON, UTF-8; harmonia.definitions.max-definition-bytes), found " + bytes + " bytes"));
            return true;
        }
        return false;
    }

    /**
     * The fields Harmonia assigns ({@code workflow_id}, {@code version}...) are accepted so that a GET body can be
     * sent back, and are not stored. {@code version} is the number Harmonia gives each update: a version label of
     * one's own ({@code "1.0.0"}) is refused rather than dropped.
     */
    private static void assignedFields(JsonNode body, List<Problem> problems) {
        JsonNode version = body.get("version");
        if (version != null && !version.isNull() && !(version.isIntegralNumber() && version.canConvertToInt()
                && version.intValue() >= 1)) {
            problems.add(new Problem("/version", "expected no version, or the version number Harmonia assigned (an"
                    + " integer from 1; it is read-only and increases with every update), found " + kind(version)
                    + "; keep a version label of your own in metadata, e.g. \"metadata\": {\"version\": "
                    + version + "}"));
        }
        for (String field : List.of("workflow_id", "id", "created_at", "updated_at")) {
            JsonNode v = body.get(field);
            if (v != null && !v.isNull() && !v.isTextual()) {
                problems.add(new Problem("/" + field, "expected no " + field + ", or the string Harmonia assigned"
                        + " (read-only), found " + kind(v)));
            }
        }
    }

    /** A task's {@code output} describes what the task returns; it is stored as written, never evaluated. */
    private static void taskOutput(JsonNode output, String ptr, List<Problem> problems) {
        if (output == null || output.isNull()) {
            return;
        }
        String expression = firstExpression(output);
        if (expression != null) {
            problems.add(new Problem(ptr + "/output", "expected a description of the task's output without"
                    + " expressions (a task's output is informational: Harmonia stores it and never evaluates it),"
                    + " found '" + expression + "'; reshape an output in the input of a later task or in the"
                    + " workflow's output"));
        }
    }

    private static String firstExpression(JsonNode node) {
        if (node.isTextual()) {
            return node.asText().contains("${") ? abbreviateText(node.asText()) : null;
        }
        for (JsonNode child : node) {
            String found = firstExpression(child);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static String abbreviateText(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    private List<TaskDefinition> tasks(JsonNode tasksNode, List<Problem> problems) {
        List<TaskDefinition> tasks = new ArrayList<>();
        if (tasksNode == null || tasksNode.isNull()) {
            problems.add(new Problem("/tasks", "expected a non-empty array of tasks, found nothing"));
            return tasks;
        }
        // seed 001 models tasks as a map keyed by id: accept both forms
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
        if (tasksNode.isArray()) {
            for (int i = 0; i < tasksNode.size(); i++) {
                entries.add(Map.entry("/tasks/" + i, tasksNode.get(i)));
            }
        } else if (tasksNode.isObject()) {
            tasksNode.fields().forEachRemaining(e -> entries.add(Map.entry("/tasks/" + escape(e.getKey()),
                    withDefaultId(e.getValue(), e.getKey()))));
        } else {
            problems.add(new Problem("/tasks", "expected an array of tasks, found " + kind(tasksNode)));
            return tasks;
        }
        if (entries.isEmpty()) {
            problems.add(new Problem("/tasks", "expected at least one task, found an empty list"));
            return tasks;
        }
        Map<String, String> pointerById = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : entries) {
            TaskDefinition t = task(e.getValue(), e.getKey(), problems);
            if (t == null) {
                continue;
            }
            if (pointerById.containsKey(t.id())) {
                problems.add(new Problem(e.getKey() + "/id", "duplicate task id '" + t.id()
                        + "': already used by the task at " + pointerById.get(t.id())));
                continue;
            }
            pointerById.put(t.id(), e.getKey());
            tasks.add(t);
        }
        for (TaskDefinition t : tasks) {
            String ptr = pointerById.get(t.id());
            for (int i = 0; i < t.dependsOn().size(); i++) {
                String dep = t.dependsOn().get(i);
                if (!pointerById.containsKey(dep)) {
                    problems.add(new Problem(ptr + "/depends_on/" + i, "task '" + t.id()
                            + "' depends on unknown task '" + dep + "'; known tasks are " + pointerById.keySet()));
                } else if (dep.equals(t.id())) {
                    problems.add(new Problem(ptr + "/depends_on/" + i, "task '" + t.id() + "' depends on itself"));
                }
            }
        }
        findCycle(tasks).ifPresent(cycle -> problems.add(new Problem(pointerById.get(cycle.get(0)) + "/depends_on",
                "dependency cycle: " + String.join(" -> ", cycle))));
        return tasks;
    }

    private TaskDefinition task(JsonNode node, String ptr, List<Problem> problems) {
        return task(node, ptr, problems, TASK_FIELDS);
    }

    private TaskDefinition task(JsonNode node, String ptr, List<Problem> problems, Set<String> fields) {
        if (node == null || !node.isObject()) {
            problems.add(new Problem(ptr, "expected a task object, found " + kind(node)));
            return null;
        }
        unknownFields(node, ptr, fields, problems);
        String id = requiredText(node, "id", ptr, problems);
        if (id != null && !id.matches("[A-Za-z_][A-Za-z0-9_-]{0,127}")) {
            problems.add(new Problem(ptr + "/id", "expected a task id of letters, digits, '_' or '-' starting with a"
                    + " letter or '_' (max 128), found '" + id + "'"));
        }
        String name = optionalText(node, "name", ptr, problems);
        String component = requiredText(node, "component", ptr, problems);
        String action = requiredText(node, "action", ptr, problems);
        if (component != null) {
            Optional<Set<String>> actions = components.actionsOf(component);
            if (actions.isEmpty()) {
                problems.add(new Problem(ptr + "/component", "unknown component '" + component
                        + "'; registered components are " + new TreeSet<>(components.components())));
            } else if (action != null && !actions.get().contains(action)) {
                problems.add(new Problem(ptr + "/action", "component '" + component + "' has no action '" + action
                        + "'; its actions are " + new TreeSet<>(actions.get())));
            }
        }
        JsonNode forEachNode = node.get("for_each");
        boolean fansOut = forEachNode != null && !forEachNode.isNull();
        JsonNode input = node.get("input");
        if (component != null && action != null && !fansOut && (input == null || !input.toString().contains("${"))) {
            String inputProblem = components.inputProblem(component, action, input); // templated: checked at run time
            if (inputProblem != null) {
                problems.add(new Problem(ptr + "/input", inputProblem));
            }
        }
        if (input != null && !input.isNull()) {
            templateProblems(input, ptr + "/input", fansOut ? IN_FOR_EACH_INPUT : OUTSIDE_STATE_MAPPING, problems);
        }
        ForEach forEach = null;
        if (fansOut) {
            if (!forEachNode.isTextual() || !forEachNode.asText().contains("${")) {
                problems.add(new Problem(ptr + "/for_each", "expected a template that yields a list, such as"
                        + " \"${input.items}\", found " + kind(forEachNode)));
            } else {
                templateProblems(forEachNode, ptr + "/for_each", OUTSIDE_STATE_MAPPING, problems);
                Integer mp = positiveInt(node, "max_parallel", ptr, 10_000, problems);
                forEach = new ForEach(forEachNode.asText(), mp == null ? ForEach.DEFAULT_MAX_PARALLEL : mp);
            }
        } else if (node.has("max_parallel") && !node.get("max_parallel").isNull()) {
            problems.add(new Problem(ptr + "/max_parallel", "expected max_parallel only with for_each (it bounds how"
                    + " many items run at once)"));
        }
        RunIf runIf = RunIf.NONE_FAILED;
        JsonNode runIfNode = node.get("run_if");
        if (runIfNode != null && !runIfNode.isNull()) {
            RunIf r = runIfNode.isTextual() ? RunIf.of(runIfNode.asText()) : null;
            if (r == null) {
                problems.add(new Problem(ptr + "/run_if", "expected one of " + java.util.Arrays.stream(RunIf.values())
                        .map(RunIf::external).toList() + ", found " + kind(runIfNode)));
            } else if (!node.has("depends_on") || !node.get("depends_on").isArray()
                    || node.get("depends_on").isEmpty()) {
                problems.add(new Problem(ptr + "/run_if", "expected run_if only on a task with depends_on (it says"
                        + " how the dependencies must have ended)"));
            } else {
                runIf = r;
            }
        }
        List<String> dependsOn = new ArrayList<>();
        JsonNode deps = node.get("depends_on");
        if (deps != null && !deps.isNull()) {
            if (!deps.isArray()) {
                problems.add(new Problem(ptr + "/depends_on", "expected an array of task ids, found " + kind(deps)));
            } else {
                Set<String> seen = new HashSet<>();
                for (int i = 0; i < deps.size(); i++) {
                    JsonNode d = deps.get(i);
                    if (!d.isTextual()) {
                        problems.add(new Problem(ptr + "/depends_on/" + i, "expected a task id, found " + kind(d)));
                    } else if (seen.add(d.asText())) {
                        dependsOn.add(d.asText());
                    }
                }
            }
        }
        String condition = optionalText(node, "condition", ptr, problems);
        if (condition != null) {
            String expr = unwrap(condition);
            for (String reason : expressions.check(expr, OUTSIDE_STATE_MAPPING)) {
                problems.add(new Problem(ptr + "/condition", "condition '" + condition + "' does not compile: "
                        + reason));
            }
        }
        taskOutput(node.get("output"), ptr, problems);
        Long timeoutMs = timeout(node, ptr, problems);
        RetryPolicy retry = retry(node.get("retry"), ptr + "/retry", problems);
        JsonNode metadata = node.get("metadata");
        JsonNode state = node.get("state");
        if (state != null && !state.isNull()) {
            if (!state.isObject()) {
                problems.add(new Problem(ptr + "/state", "expected an object mapping state keys to values or"
                        + " ${...} templates (resolved when the task completes, with 'output' in scope), found "
                        + kind(state)));
            } else {
                templateProblems(state, ptr + "/state", IN_STATE_MAPPING, problems);
            }
        }
        JsonNode checkpoint = node.get("checkpoint");
        if (checkpoint != null && !checkpoint.isNull() && !checkpoint.isBoolean()) {
            problems.add(new Problem(ptr + "/checkpoint", "expected true or false, found " + kind(checkpoint)));
        }
        if (id == null || component == null || action == null) {
            return null;
        }
        return new TaskDefinition(id, name == null ? id : name, component, action,
                input == null ? NullNode.getInstance() : input, List.copyOf(dependsOn), condition, timeoutMs, retry,
                metadata == null ? NullNode.getInstance() : metadata, state == null || state.isNull() ? null : state,
                checkpoint != null && checkpoint.asBoolean(false), StepRouting.NONE, runIf, forEach);
    }

    static Integer positiveInt(JsonNode node, String field, String ptr, int max, List<Problem> problems) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 1 || v.intValue() > max) {
            problems.add(new Problem(ptr + "/" + field, "expected an integer from 1 to " + max + ", found "
                    + kind(v)));
            return null;
        }
        return v.intValue();
    }

    /** A transition's condition compiles, with the step's {@code output} in scope. */
    private void transitionProblems(String ptr, String condition, List<Problem> problems) {
        for (String reason : expressions.check(unwrap(condition), IN_TRANSITION)) {
            problems.add(new Problem(ptr, "condition '" + condition + "' does not compile: " + reason));
        }
    }

    private void templateProblems(JsonNode template, String ptr, Set<String> unbound, List<Problem> problems) {
        for (ExpressionEngine.ExpressionProblem p : expressions.checkTemplate(template, unbound)) {
            problems.add(new Problem(ptr + p.pointer(), "expression '" + p.expression() + "' does not compile: "
                    + p.reason()));
        }
    }

    /** {@code timeout} in seconds (seed 001) or {@code timeout_ms} (seed 000); not both. */
    private static Long timeout(JsonNode node, String ptr, List<Problem> problems) {
        JsonNode seconds = node.get("timeout");
        JsonNode millis = node.get("timeout_ms");
        boolean hasSeconds = seconds != null && !seconds.isNull();
        boolean hasMillis = millis != null && !millis.isNull();
        if (hasSeconds && hasMillis) {
            problems.add(new Problem(ptr + "/timeout_ms", "expected either timeout (seconds) or timeout_ms, found both"));
            return null;
        }
        if (hasSeconds) {
            if (!seconds.isNumber() || seconds.doubleValue() <= 0 || seconds.doubleValue() > 31_536_000) {
                problems.add(new Problem(ptr + "/timeout", "expected a positive number of seconds (at most one year),"
                        + " found " + seconds));
                return null;
            }
            return Math.round(seconds.doubleValue() * 1000);
        }
        if (hasMillis) {
            if (!seconds(millis)) {
                problems.add(new Problem(ptr + "/timeout_ms", "expected a positive integer of milliseconds (at most"
                        + " one year), found " + millis));
                return null;
            }
            return millis.longValue();
        }
        return null;
    }

    private static boolean seconds(JsonNode millis) {
        return millis.isIntegralNumber() && millis.longValue() > 0 && millis.longValue() <= 31_536_000_000L;
    }

    private static RetryPolicy retry(JsonNode node, String ptr, List<Problem> problems) {
        if (node == null || node.isNull()) {
            return RetryPolicy.NONE;
        }
        if (node.isNumber()) {
            if (!node.isIntegralNumber() || node.intValue() < 0 || node.intValue() > 100) {
                problems.add(new Problem(ptr, "expected a number of retries from 0 to 100 or a retry policy object,"
                        + " found " + node));
                return RetryPolicy.NONE;
            }
            return RetryPolicy.ofRetries(node.intValue());
        }
        if (!node.isObject()) {
            problems.add(new Problem(ptr, "expected a number of retries or a retry policy object, found "
                    + kind(node)));
            return RetryPolicy.NONE;
        }
        unknownFields(node, ptr, RETRY_FIELDS, problems);
        int before = problems.size();
        int maxAttempts = (int) longField(node, "max_attempts", ptr, 1, 101, 1, problems);
        long initial = longField(node, "initial_delay_ms", ptr, 0, 86_400_000L, RetryPolicy.DEFAULT_INITIAL_DELAY_MS,
                problems);
        long maxDelay = longField(node, "max_delay_ms", ptr, 0, 86_400_000L, RetryPolicy.DEFAULT_MAX_DELAY_MS,
                problems);
        double factor = RetryPolicy.DEFAULT_BACKOFF_FACTOR;
        JsonNode f = node.get("backoff_factor");
        if (f != null && !f.isNull()) {
            if (!f.isNumber() || f.doubleValue() < 1 || f.doubleValue() > 100) {
                problems.add(new Problem(ptr + "/backoff_factor", "expected a number from 1 to 100, found " + f));
            } else {
                factor = f.doubleValue();
            }
        }
        boolean jitter = true;
        JsonNode j = node.get("jitter");
        if (j != null && !j.isNull()) {
            if (!j.isBoolean()) {
                problems.add(new Problem(ptr + "/jitter", "expected true or false, found " + j));
            } else {
                jitter = j.booleanValue();
            }
        }
        Set<String> retriable = new LinkedHashSet<>();
        JsonNode r = node.get("retriable_errors");
        if (r != null && !r.isNull()) {
            if (!r.isArray()) {
                problems.add(new Problem(ptr + "/retriable_errors", "expected an array of error types, found "
                        + kind(r)));
            } else {
                for (int i = 0; i < r.size(); i++) {
                    if (!r.get(i).isTextual() || r.get(i).asText().isBlank()) {
                        problems.add(new Problem(ptr + "/retriable_errors/" + i, "expected an error type such as"
                                + " SERVER_ERROR, found " + r.get(i)));
                    } else {
                        retriable.add(r.get(i).asText());
                    }
                }
            }
        }
        if (maxDelay < initial && problems.size() == before) {
            problems.add(new Problem(ptr + "/max_delay_ms", "expected max_delay_ms >= initial_delay_ms ("
                    + initial + "), found " + maxDelay));
        }
        return new RetryPolicy(maxAttempts, initial, factor, maxDelay, jitter, Set.copyOf(retriable));
    }

    private static long longField(JsonNode node, String field, String ptr, long min, long max, long dflt,
            List<Problem> problems) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isIntegralNumber() || v.longValue() < min || v.longValue() > max) {
            problems.add(new Problem(ptr + "/" + field, "expected an integer from " + min + " to " + max + ", found "
                    + v));
            return dflt;
        }
        return v.longValue();
    }

    /** Returns one cycle as task ids, first id repeated at the end, or empty when the graph is acyclic. */
    static Optional<List<String>> findCycle(List<TaskDefinition> tasks) {
        Map<String, List<String>> deps = new HashMap<>();
        for (TaskDefinition t : tasks) {
            deps.put(t.id(), t.dependsOn());
        }
        Map<String, Integer> color = new HashMap<>(); // 1 = on stack, 2 = done
        for (TaskDefinition t : tasks) {
            List<String> path = new ArrayList<>();
            Optional<List<String>> c = visit(t.id(), deps, color, path);
            if (c.isPresent()) {
                return c;
            }
        }
        return Optional.empty();
    }

    private static Optional<List<String>> visit(String id, Map<String, List<String>> deps, Map<String, Integer> color,
            List<String> path) {
        Integer c = color.get(id);
        if (c != null && c == 2) {
            return Optional.empty();
        }
        if (c != null && c == 1) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(id), path.size()));
            cycle.add(id);
            return Optional.of(cycle);
        }
        if (!deps.containsKey(id)) {
            return Optional.empty();
        }
        color.put(id, 1);
        path.add(id);
        for (String d : deps.get(id)) {
            if (d.equals(id)) {
                continue; // reported as self-dependency
            }
            Optional<List<String>> found = visit(d, deps, color, path);
            if (found.isPresent()) {
                return found;
            }
        }
        path.remove(path.size() - 1);
        color.put(id, 2);
        return Optional.empty();
    }

    private static String requiredText(JsonNode node, String field, String ptr, List<Problem> problems) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            problems.add(new Problem(ptr + "/" + field, "required field '" + field + "' is missing"));
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            problems.add(new Problem(ptr + "/" + field, "expected a non-empty string, found " + kind(v)));
            return null;
        }
        return v.asText();
    }

    private static String optionalText(JsonNode node, String field, String ptr, List<Problem> problems) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            problems.add(new Problem(ptr + "/" + field, "expected a string, found " + kind(v)));
            return null;
        }
        return v.asText();
    }

    private static void unknownFields(JsonNode node, String ptr, Set<String> known, List<Problem> problems) {
        node.fieldNames().forEachRemaining(f -> {
            if (!known.contains(f)) {
                problems.add(new Problem(ptr + "/" + escape(f), "unknown field '" + f + "'; expected one of "
                        + new TreeSet<>(known)));
            }
        });
    }

    private static JsonNode withDefaultId(JsonNode task, String key) {
        if (task != null && task.isObject() && !task.has("id")) {
            return ((ObjectNode) task.deepCopy()).put("id", key);
        }
        return task;
    }

    /** {@code ${expr}} → {@code expr}; anything else unchanged. */
    public static String unwrap(String condition) {
        String c = condition.trim();
        if (c.startsWith("${") && c.endsWith("}") && c.indexOf("${", 2) < 0) {
            return c.substring(2, c.length() - 1).trim();
        }
        return c;
    }

    static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    static String kind(JsonNode node) {
        return node == null ? "nothing" : node.getNodeType().toString().toLowerCase() + " " + abbreviate(node);
    }

    private static String abbreviate(JsonNode node) {
        String s = node.toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
