package io.harmonia.domain.definition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The canonical JSON form of a definition: what is stored and what GET returns. It validates as a request body. */
public final class DefinitionJson {

    private DefinitionJson() {}

    public static ObjectNode toJson(WorkflowDefinition wf) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        if (wf.id() != null) {
            o.put("workflow_id", wf.id());
            o.put("version", wf.version());
        }
        o.put("name", wf.name());
        if (wf.description() != null) {
            o.put("description", wf.description());
        }
        putIf(o, "input", wf.inputSchema());
        putIf(o, "output", wf.output());
        if (wf.timeoutMs() != null) {
            o.put("timeout_ms", wf.timeoutMs());
        }
        if (wf.maxParallelTasks() != null) {
            o.put("max_parallel_tasks", wf.maxParallelTasks());
        }
        putIf(o, "metadata", wf.metadata());
        ArrayNode tasks = o.putArray("tasks");
        for (TaskDefinition t : wf.tasks()) {
            ObjectNode to = tasks.addObject();
            to.put("id", t.id());
            if (!t.name().equals(t.id())) {
                to.put("name", t.name());
            }
            to.put("component", t.component());
            to.put("action", t.action());
            putIf(to, "input", t.input());
            if (!t.dependsOn().isEmpty()) {
                ArrayNode deps = to.putArray("depends_on");
                t.dependsOn().forEach(deps::add);
            }
            if (t.condition() != null) {
                to.put("condition", t.condition());
            }
            if (t.timeoutMs() != null) {
                to.put("timeout_ms", t.timeoutMs());
            }
            if (!t.retry().equals(RetryPolicy.NONE)) {
                RetryPolicy r = t.retry();
                ObjectNode ro = to.putObject("retry");
                ro.put("max_attempts", r.maxAttempts()).put("initial_delay_ms", r.initialDelayMs())
                        .put("backoff_factor", r.backoffFactor()).put("max_delay_ms", r.maxDelayMs())
                        .put("jitter", r.jitter());
                ArrayNode errs = ro.putArray("retriable_errors");
                r.retriableErrors().stream().sorted().forEach(errs::add);
            }
            putIf(to, "metadata", t.metadata());
        }
        return o;
    }

    private static void putIf(ObjectNode o, String field, JsonNode value) {
        if (value != null && !value.isNull() && !value.isMissingNode()) {
            o.set(field, value);
        }
    }
}
