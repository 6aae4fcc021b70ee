package io.harmonia.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.domain.execution.ExecutionEvent.TransitionTaken;
import io.harmonia.domain.execution.ExecutionStatus;
import io.harmonia.eventstore.EventCodec;
import io.harmonia.eventstore.RecordedEvent;
import io.harmonia.messaging.CloudEventRecords;
import io.harmonia.webhook.WebhookCloudEvents;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A route taken is a {@code transition_taken} message (live streams, webhooks) naming the step it left, the run,
 * where it went, by which route, and the error for an error route; its CloudEvent type is the same on Kafka and on
 * webhooks.
 */
class TransitionTakenMessageTest {
    static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

    static JsonNode message(TransitionTaken e) throws Exception {
        String[] stored = EventCodec.encodeToText(e);
        RecordedEvent r = new RecordedEvent(7, "1", "execution-x", 5, stored[0], Integer.parseInt(stored[1]),
                stored[2], AT);
        return EventCodec.json().readTree(StreamMessages.of(r, "x", "w", ExecutionStatus.RUNNING).json());
    }

    @Test
    void aTransitionIsATransitionTakenMessage() throws Exception {
        JsonNode json = message(new TransitionTaken("check", 2, "check", "transition", 1, null, null, AT));
        assertThat(json.get("type").asText()).isEqualTo("transition_taken");
        assertThat(json.get("task_id").asText()).isEqualTo("check");
        assertThat(json.get("run").asInt()).isEqualTo(2);
        assertThat(json.get("next").asText()).isEqualTo("check");
        assertThat(json.get("via").asText()).isEqualTo("transition");
        assertThat(json.get("index").asInt()).isEqualTo(1);
        assertThat(json.has("error")).isFalse();
        assertThat(StreamTypes.known("transition_taken")).isTrue();
    }

    @Test
    void anErrorRouteCarriesTheError() throws Exception {
        JsonNode json = message(new TransitionTaken("check", 1, "timeout_handler", "error_handler", 0, "TIMEOUT",
                "attempt 3 timed out", AT));
        assertThat(json.get("via").asText()).isEqualTo("error_handler");
        assertThat(json.get("error").get("type").asText()).isEqualTo("TIMEOUT");
        assertThat(json.get("error").get("message").asText()).isEqualTo("attempt 3 timed out");
    }

    @Test
    void itsCloudEventTypeIsTheSameOnKafkaAndOnWebhooks() {
        assertThat(CloudEventRecords.type("TransitionTaken")).isEqualTo("io.harmonia.transition.taken");
        assertThat(WebhookCloudEvents.type("transition_taken")).isEqualTo("io.harmonia.transition.taken");
        assertThat(WebhookCloudEvents.type("state_updated")).isEqualTo(CloudEventRecords.type("StateUpdated"));
        assertThat(WebhookCloudEvents.type("task_completed")).isEqualTo("io.harmonia.task.completed");
        assertThat(WebhookCloudEvents.type("workflow_started")).isEqualTo("io.harmonia.execution.started");
    }
}
