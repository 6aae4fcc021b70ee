package io.harmonia.stream;

import io.harmonia.eventstore.FeedPosition;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One execution event as live streams and webhooks send it: built once per event and shared by every subscriber.
 * {@link #json()} is the message (see {@link StreamMessages}); the other fields are what filters and cursors use.
 */
public final class StreamMessage {
    private final String type;
    private final String executionId;
    private final String workflowId;
    private final int sequence;
    private final Instant time;
    private final String status;
    private final FeedPosition position;
    private final String json;
    private volatile byte[] sseForExecution;
    private volatile byte[] sseForGlobal;

    StreamMessage(String type, String executionId, String workflowId, int sequence, Instant time, String status,
            FeedPosition position, String json) {
        this.type = type;
        this.executionId = executionId;
        this.workflowId = workflowId;
        this.sequence = sequence;
        this.time = time;
        this.status = status;
        this.position = position;
        this.json = json;
    }

    /** The stream name, e.g. {@code task_completed}. */
    public String type() {
        return type;
    }

    public String executionId() {
        return executionId;
    }

    /** The workflow the execution runs, or null when it could not be found. */
    public String workflowId() {
        return workflowId;
    }

    /** The event's sequence in its execution (its stream version), from 1. */
    public int sequence() {
        return sequence;
    }

    public Instant time() {
        return time;
    }

    /** The execution's status after this event. */
    public String status() {
        return status;
    }

    /** Where the event is in the global feed. */
    public FeedPosition position() {
        return position;
    }

    /** The message, as JSON text. */
    public String json() {
        return json;
    }

    /** The id of the event across executions: {@code <execution_id>/<sequence>}. */
    public String globalId() {
        return executionId + "/" + sequence;
    }

    /** Whether this event ends its execution. */
    public boolean terminal() {
        return StreamTypes.terminal(type);
    }

    /** The SSE frame of this message: {@code id} is the sequence (per execution) or {@link #globalId()}. */
    public byte[] sseFrame(boolean global) {
        byte[] frame = global ? sseForGlobal : sseForExecution;
        if (frame == null) {
            frame = Sse.frame(global ? globalId() : String.valueOf(sequence), type, json)
                    .getBytes(StandardCharsets.UTF_8);
            if (global) {
                sseForGlobal = frame;
            } else {
                sseForExecution = frame;
            }
        }
        return frame;
    }

    @Override
    public String toString() {
        return type + " " + globalId();
    }
}
