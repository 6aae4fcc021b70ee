package io.harmonia.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.domain.execution.ExecutionEvent.TaskCanceled;
import io.harmonia.domain.execution.ExecutionStatus;
import io.harmonia.eventstore.EventCodec;
import io.harmonia.eventstore.RecordedEvent;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A canceled task is a {@code task_canceled} message with its final status and the reason. */
class TaskCanceledMessageTest {

    @Test
    void aTaskCanceledEventIsATaskCanceledMessage() throws Exception {
        Instant at = Instant.parse("2026-01-01T00:00:00Z");
        TaskCanceled e = new TaskCanceled("slow", 1, 2, "EXECUTION_CANCELED", "execution 'x' was canceled: stop", at);
        String[] stored = EventCodec.encodeToText(e);
        RecordedEvent r = new RecordedEvent(7, "1", "execution-x", 5, stored[0], Integer.parseInt(stored[1]),
                stored[2], at);

        StreamMessage m = StreamMessages.of(r, "x", "w", ExecutionStatus.CANCELED);

        JsonNode json = EventCodec.json().readTree(m.json());
        assertThat(json.get("type").asText()).isEqualTo("task_canceled");
        assertThat(json.get("task_id").asText()).isEqualTo("slow");
        assertThat(json.get("attempt").asInt()).isEqualTo(2);
        assertThat(json.get("task_status").asText()).isEqualTo("CANCELED");
        assertThat(json.get("error").get("type").asText()).isEqualTo("EXECUTION_CANCELED");
        assertThat(json.get("error").get("message").asText()).contains("canceled: stop");
        assertThat(StreamTypes.known("task_canceled")).isTrue();
    }
}
