package io.harmonia.messaging;

import static io.harmonia.messaging.Topics.CE_CLAIM_CHECK;
import static io.harmonia.messaging.Topics.CE_DATAREF;
import static io.harmonia.messaging.Topics.CE_ID;
import static io.harmonia.messaging.Topics.CE_SEQUENCE;
import static io.harmonia.messaging.Topics.CE_SOURCE;
import static io.harmonia.messaging.Topics.CE_SPECVERSION;
import static io.harmonia.messaging.Topics.CE_SUBJECT;
import static io.harmonia.messaging.Topics.CE_TIME;
import static io.harmonia.messaging.Topics.CE_TYPE;
import static io.harmonia.messaging.Topics.CE_WORKFLOW_ID;
import static io.harmonia.messaging.Topics.CONTENT_TYPE;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.eventstore.RecordedEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Events as CloudEvents in Kafka's binary content mode: attributes in {@code ce_*} headers, the event's JSON as the
 * value, the stream's subject (execution or workflow id) as the key.
 */
public final class CloudEventRecords {

    private CloudEventRecords() {}

    /**
     * The CloudEvent type of a stored event: {@code TaskRetryScheduled} is {@code io.harmonia.task.retry_scheduled},
     * {@code ExecutionStarted} is {@code io.harmonia.execution.started}, {@code WorkflowDefined} is
     * {@code io.harmonia.workflow.defined}.
     */
    public static String type(String eventType) {
        if ("ForEachExpanded".equals(eventType)) {
            return "io.harmonia.task.fanned_out"; // a task event, named as in the streams (task_fanned_out)
        }
        String[] words = eventType.split("(?<=[a-z])(?=[A-Z])");
        StringBuilder b = new StringBuilder("io.harmonia.").append(words[0].toLowerCase(Locale.ROOT)).append('.');
        for (int i = 1; i < words.length; i++) {
            if (i > 1) {
                b.append('_');
            }
            b.append(words[i].toLowerCase(Locale.ROOT));
        }
        return b.toString();
    }

    /** The id of a stream's subject: {@code execution-<uuid>} is {@code <uuid>}. */
    public static String subject(String streamId) {
        int dash = streamId.indexOf('-');
        return dash < 0 ? streamId : streamId.substring(dash + 1);
    }

    /**
     * @param workflowId the workflow of the stream (for execution streams, the workflow the execution runs)
     */
    public static ProducerRecord<String, byte[]> of(String topic, String source, RecordedEvent e, String workflowId) {
        String subject = subject(e.streamId());
        RecordHeaders h = attributes(source, e, subject, workflowId);
        add(h, "ce_dataschemaversion", String.valueOf(e.schemaVersion()));
        add(h, CONTENT_TYPE, "application/json");
        // the JSON as stored, in the schema version of ce_dataschemaversion: passed on, not decoded and re-encoded
        return new ProducerRecord<>(topic, null, subject, e.payload().getBytes(StandardCharsets.UTF_8), h);
    }

    /** The CloudEvent attributes every record of an event carries, as it is or as a reference. */
    private static RecordHeaders attributes(String source, RecordedEvent e, String subject, String workflowId) {
        RecordHeaders h = new RecordHeaders();
        add(h, CE_SPECVERSION, "1.0");
        add(h, CE_ID, e.streamId() + "/" + e.streamVersion());
        add(h, CE_SOURCE, source);
        add(h, CE_TYPE, type(e.type()));
        add(h, CE_SUBJECT, subject);
        add(h, CE_TIME, e.occurredAt().toString());
        if (workflowId != null) {
            add(h, CE_WORKFLOW_ID, workflowId);
        }
        add(h, CE_SEQUENCE, String.valueOf(e.streamVersion()));
        return h;
    }

    /**
     * An upper bound of the bytes a record takes in a produce request (key, value, headers and the record and batch
     * overhead), as the producer counts them against {@code max.request.size}.
     */
    public static int sizeUpperBound(ProducerRecord<String, byte[]> record) {
        long size = 128; // record batch header (61) and the record's own framing, with room to spare
        if (record.key() != null) {
            size += record.key().getBytes(StandardCharsets.UTF_8).length;
        }
        if (record.value() != null) {
            size += record.value().length;
        }
        for (var h : record.headers()) {
            size += h.key().getBytes(StandardCharsets.UTF_8).length + (h.value() == null ? 0 : h.value().length) + 10;
        }
        return (int) Math.min(Integer.MAX_VALUE, size);
    }

    /**
     * The API address that serves a stored event: {@code /api/executions/<id>/events?after=<sequence-1>&limit=1} for
     * an execution's event, {@code /api/workflows/<id>?version=<n>} for a workflow's.
     */
    public static String href(RecordedEvent e) {
        String subject = subject(e.streamId());
        if (e.streamId().startsWith("workflow-")) {
            return "/api/workflows/" + subject + "?version=" + e.streamVersion();
        }
        if (e.streamId().startsWith("trigger-")) {
            return "/api/triggers/" + subject; // the trigger as it is now (its events are not served one by one)
        }
        if (e.streamId().startsWith("schedule-")) {
            return "/api/schedules/" + subject + "/events?after=" + (e.streamVersion() - 1) + "&limit=1";
        }
        return "/api/executions/" + subject + "/events?after=" + (e.streamVersion() - 1) + "&limit=1";
    }

    /**
     * A reference record (claim check) for an event that is not published as it is: the event's CloudEvent
     * attributes, the standard {@code dataref} extension naming the API address that serves the event, the
     * {@code harmoniaclaimcheck} extension with the reason ({@code too_large}, {@code refused}, {@code error}),
     * and a small JSON body {@code {"claim_check": true, "reason", "size_bytes", "href"}}.
     */
    public static ProducerRecord<String, byte[]> reference(String topic, String source, RecordedEvent e,
            String workflowId, String reason, long sizeBytes) {
        String subject = subject(e.streamId());
        String href = href(e);
        RecordHeaders h = attributes(source, e, subject, workflowId);
        add(h, CE_DATAREF, href);
        add(h, CE_CLAIM_CHECK, reason);
        add(h, CONTENT_TYPE, "application/json");
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("claim_check", true);
        body.put("reason", reason);
        body.put("size_bytes", sizeBytes);
        body.put("href", href);
        return new ProducerRecord<>(topic, null, subject, body.toString().getBytes(StandardCharsets.UTF_8), h);
    }

    /** A task request for an external worker (binary mode, the request as JSON value, the execution id as key). */
    public static ProducerRecord<String, byte[]> taskRequest(String topic, String source, String id,
            String executionId, String workflowId, Instant time, JsonNode request) {
        RecordHeaders h = new RecordHeaders();
        add(h, CE_SPECVERSION, "1.0");
        add(h, CE_ID, id);
        add(h, CE_SOURCE, source);
        add(h, CE_TYPE, "io.harmonia.task.requested");
        add(h, CE_SUBJECT, executionId);
        add(h, CE_TIME, time.toString());
        add(h, CE_WORKFLOW_ID, workflowId);
        add(h, CONTENT_TYPE, "application/json");
        return new ProducerRecord<>(topic, null, executionId, request.toString().getBytes(StandardCharsets.UTF_8), h);
    }

    private static void add(RecordHeaders h, String key, String value) {
        h.add(key, value.getBytes(StandardCharsets.UTF_8));
    }
}
