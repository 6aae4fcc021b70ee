package io.harmonia.domain.definition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a state machine's step (seed 000: {@code type}, {@code config}, {@code transitions}, {@code on_error}) as
 * the task it runs as: {@code type} {@code "http.request"} is component {@code http}, action {@code request};
 * {@code config} is its input. What is shared with a DAG's task (retry, timeout, state, for_each...) is read by the
 * validator's task reader, with pointers that name the step's own fields.
 */
final class StepReader {

    static final Set<String> STEP_FIELDS = Set.of("id", "name", "description", "type", "config", "transitions",
            "on_error", "retry", "timeout", "timeout_ms", "max_iterations", "for_each", "max_parallel", "state",
            "checkpoint", "metadata", "output");
    private static final Set<String> TRANSITION_FIELDS = Set.of("to", "condition", "automatic");
    private static final Set<String> ROUTE_FIELDS = Set.of("error_type", "to");

    /** Seed 000's step types and the component actions they run. */
    static final Map<String, String> TYPE_ALIASES = Map.of("http_request", "http.request", "echo", "core.echo",
            "transform", "core.transform", "sleep", "core.sleep", "fail", "core.fail", "sub_workflow",
            "workflow.run", "wait", "core.wait", "wait_for_signal", "core.wait_for_signal");

    /** Seed 000's step types that have no component yet (issue 14). */
    static final Set<String> NOT_YET = Set.of("notification", "llm");

    private StepReader() {}

    /**
     * The step as a task-shaped object the validator's task reader accepts (its own fields checked here), or null
     * when it is not an object.
     */
    static ObjectNode asTask(JsonNode step, String ptr, List<Problem> problems) {
        if (step == null || !step.isObject()) {
            problems.add(new Problem(ptr, "expected a step object with id, type and transitions, found "
                    + DefinitionValidator.kind(step)));
            return null;
        }
        step.fieldNames().forEachRemaining(f -> {
            if (!STEP_FIELDS.contains(f)) {
                String hint = f.equals("component") || f.equals("action") ? "; a step names its action with"
                        + " \"type\": \"component.action\", e.g. \"http.request\""
                        : f.equals("input") ? "; a step's input is its \"config\""
                        : f.equals("depends_on") ? "; steps follow each other by \"transitions\" (depends_on is for"
                                + " a DAG of tasks)"
                        : f.equals("condition") || f.equals("run_if") ? "; a step is reached through the"
                                + " \"condition\" of a transition" : "";
                problems.add(new Problem(ptr + "/" + DefinitionValidator.escape(f), "unknown field '" + f
                        + "'; expected one of " + new java.util.TreeSet<>(STEP_FIELDS) + hint));
            }
        });
        ObjectNode task = ((ObjectNode) step).deepCopy();
        task.remove(List.of("type", "config", "transitions", "on_error", "max_iterations", "description"));
        for (String f : List.of("component", "action", "input", "depends_on", "condition", "run_if")) {
            task.remove(f); // reported above; not read twice
        }
        JsonNode type = step.get("type");
        if (type == null || type.isNull()) {
            problems.add(new Problem(ptr + "/type", "required field 'type' is missing; expected a component action"
                    + " such as \"core.echo\" or \"http.request\""));
        } else if (!type.isTextual()) {
            problems.add(new Problem(ptr + "/type", "expected a string \"component.action\", found "
                    + DefinitionValidator.kind(type)));
        } else {
            String t = TYPE_ALIASES.getOrDefault(type.asText(), type.asText());
            int dot = t.lastIndexOf('.');
            if (NOT_YET.contains(t)) {
                problems.add(new Problem(ptr + "/type", "step type '" + t + "' (seed 000) is not available yet:"
                        + " Harmonia has no " + t + " component (planned in issue 14); expected a component action"
                        + " such as \"http.request\" (e.g. to call a " + (t.equals("llm") ? "model" : "notification")
                        + " service over HTTP) or one of " + new java.util.TreeSet<>(TYPE_ALIASES.keySet())));
            } else if (dot <= 0 || dot == t.length() - 1) {
                problems.add(new Problem(ptr + "/type", "expected \"component.action\" (e.g. \"http.request\") or"
                        + " one of " + new java.util.TreeSet<>(TYPE_ALIASES.keySet()) + ", found '" + t + "'"));
            } else {
                task.put("component", t.substring(0, dot));
                task.put("action", t.substring(dot + 1));
            }
        }
        if (step.has("config")) {
            task.set("input", step.get("config"));
        }
        return task;
    }

    /** A pointer into the task-shaped object, as a pointer into the step. */
    static String stepPointer(String pointer, String stepPtr) {
        if (!pointer.startsWith(stepPtr)) {
            return pointer;
        }
        String rest = pointer.substring(stepPtr.length());
        if (rest.startsWith("/input")) {
            return stepPtr + "/config" + rest.substring("/input".length());
        }
        if (rest.equals("/component") || rest.equals("/action")) {
            return stepPtr + "/type";
        }
        return pointer;
    }

    /** A state machine's steps, each read as the task it runs as (see {@link StepReader}). */
    /** Reads one task-shaped object (the validator's task reader). */
    interface TaskReader {
        TaskDefinition read(JsonNode node, String ptr, List<Problem> problems);
    }

    /** Checks one transition condition. */
    interface ConditionCheck {
        void check(String ptr, String condition, List<Problem> problems);
    }

    static List<TaskDefinition> steps(JsonNode stepsNode, TaskReader tasks, ConditionCheck conditions,
            List<Problem> problems) {
        List<TaskDefinition> steps = new ArrayList<>();
        if (!stepsNode.isArray()) {
            problems.add(new Problem("/steps", "expected an array of steps, found " + DefinitionValidator.kind(stepsNode)));
            return steps;
        }
        if (stepsNode.isEmpty()) {
            problems.add(new Problem("/steps", "expected at least one step, found an empty list"));
            return steps;
        }
        Map<String, String> pointerById = new LinkedHashMap<>();
        Map<String, List<Transition>> transitionsById = new LinkedHashMap<>();
        Map<String, List<ErrorRoute>> routesById = new LinkedHashMap<>();
        for (int i = 0; i < stepsNode.size(); i++) {
            String ptr = "/steps/" + i;
            JsonNode step = stepsNode.get(i);
            int before = problems.size();
            ObjectNode asTask = asTask(step, ptr, problems);
            if (asTask == null) {
                continue;
            }
            boolean typeReported = problems.subList(before, problems.size()).stream()
                    .anyMatch(p -> p.pointer().equals(ptr + "/type"));
            List<Problem> own = new ArrayList<>();
            TaskDefinition t = tasks.read(asTask, ptr, own);
            own.stream().map(p -> new Problem(stepPointer(p.pointer(), ptr), p.reason()))
                    .filter(p -> !(typeReported && p.pointer().equals(ptr + "/type"))) // one problem per bad type
                    .forEach(problems::add);
            List<Transition> transitions = transitions(step.get("transitions"), ptr + "/transitions",
                    (p, c) -> conditions.check(p, c, problems), problems);
            List<ErrorRoute> onError = routes(step.get("on_error"), ptr + "/on_error", List.of("to"),
                    problems);
            Integer maxIterations = DefinitionValidator.positiveInt(step, "max_iterations", ptr,
                    DefinitionValidator.MAX_ITERATIONS_LIMIT, problems);
            if (t == null) {
                continue;
            }
            if (pointerById.containsKey(t.id())) {
                problems.add(new Problem(ptr + "/id", "duplicate step id '" + t.id()
                        + "': already used by the step at " + pointerById.get(t.id())));
                continue;
            }
            pointerById.put(t.id(), ptr);
            transitionsById.put(t.id(), transitions);
            routesById.put(t.id(), onError);
            steps.add(t.withRouting(new StepRouting(transitions, onError, maxIterations)));
        }
        for (TaskDefinition t : steps) {
            String ptr = pointerById.get(t.id());
            List<Transition> transitions = transitionsById.get(t.id());
            for (int i = 0; i < transitions.size(); i++) {
                if (!pointerById.containsKey(transitions.get(i).to())) {
                    problems.add(new Problem(ptr + "/transitions/" + i + "/to", "step '" + t.id() + "' has a"
                            + " transition to unknown step '" + transitions.get(i).to() + "'; known steps are "
                            + pointerById.keySet()));
                }
            }
            List<ErrorRoute> routes = routesById.get(t.id());
            for (int i = 0; i < routes.size(); i++) {
                if (!pointerById.containsKey(routes.get(i).to())) {
                    problems.add(new Problem(ptr + "/on_error/" + i + "/to", "step '" + t.id() + "' routes errors"
                            + " to unknown step '" + routes.get(i).to() + "'; known steps are "
                            + pointerById.keySet()));
                }
            }
        }
        return steps;
    }

    /** The step's transitions; targets are checked later, when every step id is known. */
    static List<Transition> transitions(JsonNode node, String ptr, java.util.function.BiConsumer<String, String> check,
            List<Problem> problems) {
        List<Transition> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            problems.add(new Problem(ptr, "expected an array of transitions {\"to\", \"condition\"?}, found "
                    + DefinitionValidator.kind(node)));
            return out;
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode t = node.get(i);
            String p = ptr + "/" + i;
            if (!t.isObject()) {
                problems.add(new Problem(p, "expected a transition {\"to\", \"condition\"?}, found "
                        + DefinitionValidator.kind(t)));
                continue;
            }
            unknown(t, p, TRANSITION_FIELDS, problems);
            String to = text(t, "to", p, true, problems);
            String condition = text(t, "condition", p, false, problems);
            JsonNode automatic = t.get("automatic");
            if (automatic != null && !automatic.isNull() && !automatic.isBoolean()) {
                problems.add(new Problem(p + "/automatic", "expected true or false, found "
                        + DefinitionValidator.kind(automatic)));
            } else if (automatic != null && automatic.asBoolean(false) && condition != null) {
                problems.add(new Problem(p + "/automatic", "expected either \"automatic\": true or a condition,"
                        + " found both"));
            }
            if (condition != null) {
                check.accept(p + "/condition", condition);
            }
            if (to != null) {
                out.add(new Transition(to, condition == null ? null : DefinitionValidator.unwrap(condition)));
            }
        }
        return out;
    }

    /** {@code on_error} of a step, or a workflow's {@code error_handlers} ({@code targetField} names the target). */
    static List<ErrorRoute> routes(JsonNode node, String ptr, List<String> targetFields, List<Problem> problems) {
        List<ErrorRoute> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            problems.add(new Problem(ptr, "expected an array of {\"error_type\", \"" + targetFields.get(0)
                    + "\"}, found " + DefinitionValidator.kind(node)));
            return out;
        }
        Set<String> known = new java.util.HashSet<>(targetFields);
        known.add("error_type");
        for (int i = 0; i < node.size(); i++) {
            JsonNode r = node.get(i);
            String p = ptr + "/" + i;
            if (!r.isObject()) {
                problems.add(new Problem(p, "expected {\"error_type\", \"" + targetFields.get(0) + "\"}, found "
                        + DefinitionValidator.kind(r)));
                continue;
            }
            unknown(r, p, known, problems);
            String type = text(r, "error_type", p, true, problems);
            String target = null;
            String given = null;
            for (String f : targetFields) {
                String v = text(r, f, p, false, problems);
                if (v != null && target != null) {
                    problems.add(new Problem(p + "/" + f, "expected one of " + targetFields + ", found both "
                            + given + " and " + f));
                } else if (v != null) {
                    target = v;
                    given = f;
                }
            }
            if (target == null && r.isObject()) {
                problems.add(new Problem(p + "/" + targetFields.get(0), "required field '" + targetFields.get(0)
                        + "' is missing"));
            }
            if (type != null && target != null) {
                out.add(new ErrorRoute(type, target));
            }
        }
        return out;
    }

    private static void unknown(JsonNode node, String ptr, Set<String> known, List<Problem> problems) {
        node.fieldNames().forEachRemaining(f -> {
            if (!known.contains(f)) {
                problems.add(new Problem(ptr + "/" + DefinitionValidator.escape(f), "unknown field '" + f
                        + "'; expected one of " + new java.util.TreeSet<>(known)));
            }
        });
    }

    private static String text(JsonNode node, String field, String ptr, boolean required, List<Problem> problems) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                problems.add(new Problem(ptr + "/" + field, "required field '" + field + "' is missing"));
            }
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            problems.add(new Problem(ptr + "/" + field, "expected a non-empty string, found "
                    + DefinitionValidator.kind(v)));
            return null;
        }
        return v.asText();
    }
}
