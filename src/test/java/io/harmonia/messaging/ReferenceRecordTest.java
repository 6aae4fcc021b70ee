package io.harmonia.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.harmonia.eventstore.RecordedEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Reference records keep the event's CloudEvent attributes and name the API address that serves the event. */
class ReferenceRecordTest {

    private static RecordedEvent event(String stream, int version, String type, String payload) {
        return new RecordedEvent(42, "7", stream, version, type, 1, payload, Instant.parse("2026-11-26T00:00:00Z"));
    }

    private static String header(org.apache.kafka.clients.producer.ProducerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void aWorkflowDefinitionIsReferencedByItsVersion() {
        var e = event("workflow-0195", 3, "WorkflowDefined", "{\"big\": true}");
        assertThat(CloudEventRecords.href(e)).isEqualTo("/api/workflows/0195?version=3");
        var r = CloudEventRecords.reference("harmonia.events", "/harmonia", e, "0195", "too_large", 9_000_000);
        assertThat(header(r, "ce_dataref")).isEqualTo("/api/workflows/0195?version=3");
        assertThat(header(r, "ce_type")).isEqualTo("io.harmonia.workflow.defined");
        assertThat(header(r, "ce_id")).isEqualTo("workflow-0195/3");
        assertThat(header(r, "ce_harmoniaclaimcheck")).isEqualTo("too_large");
        assertThat(header(r, "ce_dataschemaversion")).isNull();
        assertThat(r.key()).isEqualTo("0195");
        assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("{\"claim_check\":true,\"reason\":"
                + "\"too_large\",\"size_bytes\":9000000,\"href\":\"/api/workflows/0195?version=3\"}");
    }

    @Test
    void anExecutionEventIsReferencedByItsSequence() {
        var e = event("execution-01a2", 5, "TaskCompleted", "{}");
        assertThat(CloudEventRecords.href(e)).isEqualTo("/api/executions/01a2/events?after=4&limit=1");
    }

    @Test
    void theSizeBoundCountsValueKeyAndHeaders() {
        var e = event("execution-01a2", 1, "ExecutionStarted", "x".repeat(1000));
        var r = CloudEventRecords.of("harmonia.events", "/harmonia", e, "wf");
        assertThat(CloudEventRecords.sizeUpperBound(r)).isGreaterThan(1000 + 4 + 100).isLessThan(1000 + 600);
    }

    @Test
    void onlyErrorsAboutTheRecordItselfAreReferencedOthersAreRetried() {
        assertThat(ClaimChecks.refusesThisRecord(new org.apache.kafka.common.errors.RecordTooLargeException("x")))
                .isTrue();
        assertThat(ClaimChecks.refusesThisRecord(new org.apache.kafka.common.errors.SerializationException("x")))
                .isTrue();
        assertThat(ClaimChecks.refusesThisRecord(new org.apache.kafka.common.InvalidRecordException("x"))).isTrue();
        assertThat(ClaimChecks.refusesThisRecord(new org.apache.kafka.common.errors.TimeoutException("x")))
                .isFalse();
        assertThat(ClaimChecks.refusesThisRecord(
                new org.apache.kafka.common.errors.TopicAuthorizationException("x"))).isFalse();
        assertThat(ClaimChecks.refusesThisRecord(KafkaPublisher.NOT_SENT)).isFalse();
    }
}
