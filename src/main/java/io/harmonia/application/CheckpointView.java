package io.harmonia.application;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.domain.definition.TaskDefinition;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.ExecutionEvent.CheckpointCreated;
import io.harmonia.domain.execution.ExecutionSnapshot;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.domain.execution.TaskState;
import io.harmonia.domain.execution.TaskStatus;
import io.harmonia.eventstore.CheckpointSummary;

/**
 * "What did this execution look like at the checkpoint?": the JSON of GET /api/checkpoints/{id} (seed 001's
 * Checkpoint: checkpoint_id, execution_id, created_at, workflow_status, task_statuses, completed_tasks, state_data)
 * and of a list item. Pure.
 */
final class CheckpointView {
    private CheckpointView() {}

    /** The whole checkpoint; with {@code withTasks}, each task's run, attempts, input, output and error too. */
    static ObjectNode of(CheckpointCreated cp, WorkflowDefinition wf, boolean withTasks) {
        ExecutionSnapshot snap = cp.snapshot();
        ExecutionState s = snap.toState();
        ObjectNode o = header(cp.checkpointId(), snap.executionId(), cp.sequence(), cp.reason(),
                cp.at().toString(), snap.workflowId(), snap.workflowVersion(), snap.status().name());
        ObjectNode statuses = o.putObject("task_statuses");
        ArrayNode completed = o.putArray("completed_tasks");
        for (TaskDefinition def : wf.tasks()) {
            TaskState t = s.task(def.id());
            statuses.put(def.id(), t.status().external());
            if (t.status() == TaskStatus.COMPLETED) {
                completed.add(def.id());
            }
        }
        o.set("state_data", snap.state().global());
        o.put("state_version", snap.state().version());
        if (withTasks) {
            ObjectNode tasks = o.putObject("tasks");
            for (TaskDefinition def : wf.tasks()) {
                TaskState t = s.task(def.id());
                ObjectNode to = tasks.putObject(def.id());
                to.put("status", t.status().external()).put("run", t.run()).put("attempts", t.attempt());
                to.set("input", orNull(t.input()));
                to.set("output", orNull(t.output()));
                if (t.errorType() != null && t.status() != TaskStatus.COMPLETED) {
                    to.putObject("error").put("type", t.errorType()).put("message", t.errorMessage());
                } else {
                    to.putNull("error");
                }
                JsonNode taskState = snap.state().task(def.id());
                if (taskState != null) {
                    to.set("state", taskState);
                }
            }
        }
        return o;
    }

    /** A list item: the checkpoint without its task statuses and state (GET it for those). */
    static ObjectNode of(CheckpointSummary c) {
        return header(c.checkpointId(), c.executionId(), c.sequence(), c.reason(), c.createdAt().toString(),
                c.workflowId(), c.workflowVersion(), c.workflowStatus());
    }

    private static ObjectNode header(String checkpointId, String executionId, long sequence, String reason,
            String createdAt, String workflowId, int workflowVersion, String status) {
        return JsonNodeFactory.instance.objectNode()
                .put("checkpoint_id", checkpointId).put("execution_id", executionId).put("sequence", sequence)
                .put("reason", reason).put("created_at", createdAt).put("workflow_id", workflowId)
                .put("workflow_version", workflowVersion).put("workflow_status", status);
    }

    private static JsonNode orNull(JsonNode n) {
        return n == null ? JsonNodeFactory.instance.nullNode() : n;
    }
}
