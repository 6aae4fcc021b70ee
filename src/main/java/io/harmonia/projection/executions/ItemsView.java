package io.harmonia.projection.executions;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.domain.definition.InvalidRequest;
import io.harmonia.domain.definition.Problem;
import io.harmonia.domain.definition.TaskDefinition;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.domain.execution.FanOuts;
import io.harmonia.domain.execution.TaskState;
import io.harmonia.domain.execution.TaskStatus;
import java.util.List;

/**
 * "How are the items of this for_each task doing?": one page of {@code GET /api/executions/{id}/tasks/{taskId}/items},
 * in index order. Pure; costs O(limit).
 */
public final class ItemsView {

    private ItemsView() {}

    public static ObjectNode of(ExecutionState s, WorkflowDefinition wf, String taskId, int limit, int offset) {
        TaskDefinition def = wf.tasks().stream().filter(t -> t.id().equals(taskId)).findFirst().orElse(null);
        if (def == null || !def.fansOut()) {
            throw new InvalidRequest("Not a for_each task", List.of(new Problem("/path/taskId", "expected a for_each"
                    + " task of workflow '" + wf.id() + "' version " + wf.version() + ", found '" + taskId + "'"
                    + (def == null ? " (no such task)" : " (it has no for_each)"))));
        }
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode o = f.objectNode();
        o.put("execution_id", s.executionId());
        o.put("task_id", taskId);
        TaskState task = s.task(taskId);
        FanOuts.FanOut fan = s.fanOuts().of(taskId);
        boolean current = fan != null && fan.run() == task.run();
        o.put("run", task.run());
        o.put("total", current ? fan.count() : 0);
        o.put("limit", limit);
        o.put("offset", offset);
        ArrayNode items = o.putArray("items");
        int end = current ? (int) Math.min((long) offset + limit, fan.count()) : 0;
        for (int i = offset; i < end; i++) {
            String id = taskId + "[" + i + "]";
            TaskState t = s.task(id);
            ObjectNode it = items.addObject();
            it.put("index", i);
            it.put("task_id", id);
            boolean ofRun = t.run() == fan.run();
            it.put("status", ofRun ? t.status().external() : TaskStatus.PENDING.external());
            it.put("attempts", ofRun ? t.attempt() : 0);
            it.set("input", ofRun && t.input() != null ? t.input() : f.nullNode());
            it.set("output", ofRun && t.output() != null ? t.output() : f.nullNode());
            if (ofRun && t.errorType() != null && t.status() != TaskStatus.COMPLETED) {
                ObjectNode err = it.putObject("error").put("type", t.errorType());
                if (t.errorMessage() != null) {
                    err.put("message", t.errorMessage());
                }
            } else {
                it.putNull("error");
            }
            ExecutionView.time(it, "start_time", ofRun ? t.firstStartedAt() : null);
            ExecutionView.time(it, "end_time", ofRun ? t.endedAt() : null);
        }
        if (end < (current ? fan.count() : 0)) {
            o.put("next_offset", end);
        } else {
            o.putNull("next_offset");
        }
        return o;
    }
}
