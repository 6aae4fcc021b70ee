package io.harmonia.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.domain.execution.ExecutionEvent;
import io.harmonia.domain.execution.ExecutionEvent.SignalConsumed;
import io.harmonia.domain.execution.ExecutionEvent.SignalReceived;
import io.harmonia.domain.execution.ExecutionStatus;
import io.harmonia.eventstore.EventCodec;
import io.harmonia.eventstore.RecordedEvent;
import io.harmonia.messaging.CloudEventRecords;
import io.harmonia.webhook.WebhookCloudEvents;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A signal received and a signal consumed are {@code signal_received} and {@code signal_consumed} messages (live
 * streams, webhooks) naming the signal, its id (and where it came from); their CloudEvent types are the same on Kafka
 * and on webhooks.
 */
class SignalMessagesTest {
    static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

    static JsonNode message(ExecutionEvent e) throws Exception {
        String[] stored = EventCodec.encodeToText(e);
        RecordedEvent r = new RecordedEvent(7, "1", "execution-x", 5, stored[0], Integer.parseInt(stored[1]),
                stored[2], AT);
        return EventCodec.json().readTree(StreamMessages.of(r, "x", "w", ExecutionStatus.RUNNING).json());
    }

    @Test
    void aSignalReceivedNamesTheSignalItsIdAndSourceAndCarriesThePayload() throws Exception {
        JsonNode json = message(new SignalReceived("approval", "s1", EventCodec.json().readTree("{\"ok\": true}"),
                "api", AT));
        assertThat(json.get("type").asText()).isEqualTo("signal_received");
        assertThat(json.get("name").asText()).isEqualTo("approval");
        assertThat(json.get("signal_id").asText()).isEqualTo("s1");
        assertThat(json.get("source").asText()).isEqualTo("api");
        assertThat(json.get("data").get("payload").get("ok").asBoolean()).isTrue();
        assertThat(StreamTypes.known("signal_received")).isTrue();
    }

    @Test
    void aSignalConsumedNamesTheWaitThatTookIt() throws Exception {
        JsonNode json = message(new SignalConsumed("wait", 2, "approval", "s1", AT));
        assertThat(json.get("type").asText()).isEqualTo("signal_consumed");
        assertThat(json.get("task_id").asText()).isEqualTo("wait");
        assertThat(json.get("run").asInt()).isEqualTo(2);
        assertThat(json.get("name").asText()).isEqualTo("approval");
        assertThat(json.get("signal_id").asText()).isEqualTo("s1");
    }

    @Test
    void theirCloudEventTypesAreTheSameOnKafkaAndOnWebhooks() {
        assertThat(CloudEventRecords.type("SignalReceived")).isEqualTo("io.harmonia.signal.received");
        assertThat(WebhookCloudEvents.type("signal_received")).isEqualTo("io.harmonia.signal.received");
        assertThat(WebhookCloudEvents.type("signal_consumed")).isEqualTo(CloudEventRecords.type("SignalConsumed"));
    }
}
