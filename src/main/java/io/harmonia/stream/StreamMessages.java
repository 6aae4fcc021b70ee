package io.harmonia.stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.domain.execution.ExecutionEvent;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionCanceled;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionCompleted;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionFailed;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionPaused;
import io.harmonia.domain.execution.ExecutionEvent.TaskCanceled;
import io.harmonia.domain.execution.ExecutionEvent.TaskCompleted;
import io.harmonia.domain.execution.ExecutionEvent.TaskEvent;
import io.harmonia.domain.execution.ExecutionEvent.TaskFailed;
import io.harmonia.domain.execution.ExecutionEvent.TaskRetryScheduled;
import io.harmonia.domain.execution.ExecutionEvent.TaskScheduled;
import io.harmonia.domain.execution.ExecutionEvent.TaskSkipped;
import io.harmonia.domain.execution.ExecutionEvent.TaskStarted;
import io.harmonia.domain.execution.ExecutionEvent.TaskTimedOut;
import io.harmonia.domain.execution.ExecutionStatus;
import io.harmonia.eventstore.EventCodec;
import io.harmonia.eventstore.FeedPosition;
import io.harmonia.eventstore.RecordedEvent;
import java.nio.charset.StandardCharsets;

/**
 * Builds stream messages from stored events. A message:
 *
 * <pre>
 * {"type": "task_completed", "execution_id": "…", "workflow_id": "…", "sequence": 4,
 *  "time": "2026-11-21T22:25:56.521Z", "status": "RUNNING",
 *  "task_id": "task1", "run": 1, "attempt": 1, "task_status": "COMPLETED", "output": {"value": 21},
 *  "data": { the stored event, as GET /api/executions/{id}/events gives it }}
 * </pre>
 *
 * {@code status} is the execution's status after the event; task events add {@code task_id}, {@code run},
 * {@code attempt} (when the event has one) and {@code task_status} (the task's status after the event, as the
 * execution view shows it). Failures, retries, skips, time-outs and cancellations add {@code error: {type, message}};
 * completions add {@code output} when it is at most {@link #MAX_INLINE_OUTPUT_BYTES} bytes of JSON (else
 * {@code output_truncated: true}; {@code data} always has it).
 */
public final class StreamMessages {

    /** Outputs up to this size are repeated at the top of a message; larger ones are only in {@code data}. */
    public static final int MAX_INLINE_OUTPUT_BYTES = 4096;

    private StreamMessages() {}

    /**
     * @param executionId the execution (the subject of the event's stream)
     * @param workflowId the workflow the execution runs (null when unknown)
     * @param statusAfter the execution's status after this event
     */
    public static StreamMessage of(RecordedEvent r, String executionId, String workflowId,
            ExecutionStatus statusAfter) {
        String type = StreamTypes.of(r.type());
        if (type == null) {
            throw new IllegalArgumentException("Expected an execution event, found " + r.type() + " in stream "
                    + r.streamId());
        }
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode o = f.objectNode();
        o.put("type", type);
        o.put("execution_id", executionId);
        if (workflowId == null) {
            o.putNull("workflow_id");
        } else {
            o.put("workflow_id", workflowId);
        }
        o.put("sequence", r.streamVersion());
        o.put("time", r.occurredAt().toString());
        o.put("status", statusAfter.name());
        Object event = r.event();
        if (event instanceof TaskEvent t) {
            o.put("task_id", t.taskId());
            o.put("run", t.run());
        }
        if (event instanceof TaskScheduled) {
            o.put("task_status", "PENDING");
        } else if (event instanceof TaskStarted e) {
            o.put("attempt", e.attempt());
            o.put("task_status", "RUNNING");
            if (e.deadline() != null) {
                o.put("deadline", e.deadline().toString());
            }
        } else if (event instanceof TaskCompleted e) {
            o.put("attempt", e.attempt());
            o.put("task_status", "COMPLETED");
            output(o, e.output());
        } else if (event instanceof TaskFailed e) {
            o.put("attempt", e.attempt());
            o.put("task_status", "FAILED");
            error(o, e.errorType(), e.message());
        } else if (event instanceof TaskRetryScheduled e) {
            o.put("attempt", e.failedAttempt());
            o.put("task_status", "PENDING");
            o.put("retry_at", e.dueAt().toString());
            error(o, e.errorType(), e.message());
        } else if (event instanceof TaskSkipped e) {
            o.put("task_status", "SKIPPED");
            error(o, e.reason(), null);
        } else if (event instanceof TaskCanceled e) {
            o.put("attempt", e.attempt());
            o.put("task_status", "CANCELED");
            error(o, e.reason(), e.message());
        } else if (event instanceof TaskTimedOut e) {
            o.put("attempt", e.attempt());
            // a task_retry_scheduled or task_failed follows in the same decision
            o.put("task_status", "RUNNING");
            error(o, "TIMEOUT", "attempt " + e.attempt() + " timed out");
        } else if (event instanceof ExecutionCompleted e) {
            output(o, e.output());
        } else if (event instanceof ExecutionFailed e) {
            ObjectNode err = error(o, e.errorType(), e.message());
            if (e.taskId() != null) {
                err.put("task_id", e.taskId());
            }
        } else if (event instanceof ExecutionCanceled e) {
            error(o, "CANCELED", e.reason());
        } else if (event instanceof ExecutionPaused e) {
            o.put("reason", e.reason());
        } else if (event instanceof ExecutionEvent.StateUpdated e) {
            if (e.taskId() != null) {
                o.put("task_id", e.taskId());
                o.put("run", e.run());
            }
        } else if (event instanceof ExecutionEvent.CheckpointCreated e) {
            o.put("checkpoint_id", e.checkpointId());
        } else if (event instanceof ExecutionEvent.ExecutionRerun e) {
            o.putPOJO("tasks", e.tasks());
        } else if (event instanceof ExecutionEvent.SignalReceived e) {
            o.put("name", e.name());
            o.put("signal_id", e.signalId());
            o.put("source", e.source());
        } else if (event instanceof ExecutionEvent.SignalConsumed e) {
            // the wait's task_completed, with the payload as its output, follows in the same decision
            o.put("name", e.name());
            o.put("signal_id", e.signalId());
        } else if (event instanceof ExecutionEvent.TransitionTaken e) {
            o.put("task_id", e.fromTask());
            o.put("run", e.fromRun());
            o.put("next", e.toTask());
            o.put("via", e.via());
            o.put("index", e.index());
            if (e.errorType() != null) {
                error(o, e.errorType(), e.message());
            }
        }
        JsonNode data = EventCodec.encode(event).payload();
        if (event instanceof ExecutionEvent.CheckpointCreated && data instanceof ObjectNode d) {
            d.remove("snapshot"); // the whole state: GET /api/checkpoints/{id} has it
        }
        o.set("data", data);
        String json;
        try {
            json = EventCodec.json().writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Could not write the stream message of " + r.streamId() + "/"
                    + r.streamVersion(), e);
        }
        return new StreamMessage(type, executionId, workflowId, r.streamVersion(), r.occurredAt(),
                statusAfter.name(), new FeedPosition(r.txId(), r.globalPosition()), json);
    }

    /** The execution status after an event, given the status before it. */
    public static ExecutionStatus statusAfter(ExecutionStatus before, Object event) {
        if (event instanceof ExecutionEvent.ExecutionStarted || event instanceof ExecutionEvent.ExecutionResumed
                || event instanceof ExecutionEvent.ExecutionRerun) {
            return ExecutionStatus.RUNNING;
        } else if (event instanceof ExecutionPaused) {
            return ExecutionStatus.PAUSED;
        } else if (event instanceof ExecutionCompleted) {
            return ExecutionStatus.COMPLETED;
        } else if (event instanceof ExecutionFailed) {
            return ExecutionStatus.FAILED;
        } else if (event instanceof ExecutionCanceled) {
            return ExecutionStatus.CANCELED;
        }
        return before == null ? ExecutionStatus.RUNNING : before;
    }

    private static void output(ObjectNode o, JsonNode output) {
        if (output == null || output.isNull()) {
            o.putNull("output");
            return;
        }
        int size = output.toString().getBytes(StandardCharsets.UTF_8).length;
        if (size <= MAX_INLINE_OUTPUT_BYTES) {
            o.set("output", output);
        } else {
            o.put("output_truncated", true);
        }
    }

    private static ObjectNode error(ObjectNode o, String type, String message) {
        ObjectNode err = o.putObject("error");
        err.put("type", type);
        if (message == null) {
            err.putNull("message");
        } else {
            err.put("message", message);
        }
        return err;
    }
}
