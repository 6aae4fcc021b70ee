package io.harmonia.domain.execution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An execution's state (seed 000's WorkflowState): {@code global}, visible to every task as {@code state}, and what
 * each task last wrote, visible as {@code tasks.<id>.state}. Immutable; the JSON trees are never changed in place.
 *
 * @param global an object
 * @param tasks per task id, the object its {@code state} mapping resolved to when it last completed
 * @param version how many times the state changed (the {@code ETag} of {@code /api/state})
 */
public record StateData(JsonNode global, Map<String, JsonNode> tasks, long version) {

    public static final StateData EMPTY = new StateData(JsonNodeFactory.instance.objectNode(), Map.of(), 0);

    public StateData {
        global = global == null || !global.isObject() ? JsonNodeFactory.instance.objectNode() : global;
        tasks = tasks == null ? Map.of() : Map.copyOf(tasks);
    }

    /** The task's state, or null when it wrote none. */
    public JsonNode task(String taskId) {
        return tasks.get(taskId);
    }

    /** This state after an update: {@code patch} merged (RFC 7396), or as a whole with {@code replace}. */
    public StateData updated(String taskId, JsonNode patch, boolean replace) {
        JsonNode newGlobal = replace ? patch : mergePatch(global, patch);
        Map<String, JsonNode> newTasks = tasks;
        if (taskId != null) {
            Map<String, JsonNode> copy = new LinkedHashMap<>(tasks);
            copy.put(taskId, patch);
            newTasks = copy;
        }
        return new StateData(newGlobal, newTasks, version + 1);
    }

    /**
     * RFC 7396 JSON Merge Patch: an object patch merges member by member (a null member removes it); anything else
     * replaces the target. Returns a new tree; neither argument is changed.
     */
    public static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            return patch == null ? JsonNodeFactory.instance.nullNode() : patch.deepCopy();
        }
        ObjectNode out = target != null && target.isObject() ? ((ObjectNode) target).deepCopy()
                : JsonNodeFactory.instance.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNull()) {
                out.remove(e.getKey());
            } else {
                out.set(e.getKey(), mergePatch(out.get(e.getKey()), e.getValue()));
            }
        }
        return out;
    }
}
