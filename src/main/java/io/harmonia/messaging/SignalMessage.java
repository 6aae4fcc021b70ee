package io.harmonia.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.eventstore.EventCodec;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * A signal read from {@code harmonia.signals}: a CloudEvent of type {@value #TYPE}, in binary mode (headers
 * {@code ce_id}, {@code ce_subject} = the execution id, {@code ce_signalname}; the value is the payload, an empty
 * value none) or structured mode (the value is {@code {"specversion": "1.0", "id", "type", "subject",
 * "signalname", "data"}}). The execution id falls back to the record key when there is no subject. The CloudEvent id
 * is the signal id, so a record delivered again is recorded once.
 *
 * @param payload the signal's payload; null for none
 */
record SignalMessage(String executionId, String name, String signalId, JsonNode payload) {
    /** The CloudEvent type of a signal. */
    static final String TYPE = "io.harmonia.signal";
    /** The CloudEvent extension attribute that names the signal (CloudEvents: lowercase letters and digits). */
    static final String NAME_ATTRIBUTE = "signalname";

    /** Thrown for a record that is not a signal; the record goes to the dead-letter topic. */
    static final class Malformed extends RuntimeException {
        Malformed(String message) {
            super(message);
        }
    }

    static SignalMessage parse(String key, Headers headers, String value) {
        String contentType = header(headers, Topics.CONTENT_TYPE);
        boolean structured = contentType != null && contentType.startsWith("application/cloudevents");
        JsonNode root = null;
        if (value != null && !value.isBlank()) {
            try {
                root = EventCodec.json().readTree(value);
            } catch (Exception e) {
                throw new Malformed("expected a JSON value (the signal's payload, or a structured CloudEvent),"
                        + " found text that is not JSON");
            }
        }
        if (structured || (header(headers, Topics.CE_ID) == null && root != null && root.isObject()
                && root.has("specversion"))) {
            if (root == null || !root.isObject()) {
                throw new Malformed("expected a structured CloudEvent (a JSON object), found "
                        + (root == null ? "an empty value" : root.getNodeType().toString().toLowerCase()));
            }
            return of(text(root, "type"), text(root, "subject"), key, text(root, NAME_ATTRIBUTE), text(root, "id"),
                    root.has("data") ? nullIfNull(root.get("data")) : null);
        }
        return of(header(headers, Topics.CE_TYPE), header(headers, Topics.CE_SUBJECT), key,
                header(headers, Topics.CE_PREFIX + NAME_ATTRIBUTE), header(headers, Topics.CE_ID), nullIfNull(root));
    }

    private static SignalMessage of(String type, String subject, String key, String name, String id,
            JsonNode payload) {
        if (type != null && !TYPE.equals(type)) {
            throw new Malformed("expected CloudEvent type '" + TYPE + "', found '" + type + "'");
        }
        String executionId = subject != null ? subject : key;
        if (executionId == null || executionId.isBlank()) {
            throw new Malformed("expected the execution id as the CloudEvent subject or the record key, found none");
        }
        if (name == null || name.isBlank()) {
            throw new Malformed("expected the signal name in the CloudEvent attribute '" + NAME_ATTRIBUTE
                    + "', found none");
        }
        if (id == null || id.isBlank()) {
            throw new Malformed("expected a CloudEvent id (the signal id, so that a redelivered record is recorded"
                    + " once), found none");
        }
        return new SignalMessage(executionId, name, id, payload);
    }

    private static JsonNode nullIfNull(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() ? null : n;
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v == null || !v.isTextual() ? null : v.textValue();
    }

    private static String header(Headers headers, String name) {
        Header h = headers == null ? null : headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
