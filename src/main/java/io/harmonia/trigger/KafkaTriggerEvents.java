package io.harmonia.trigger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * A Kafka record as trigger expressions see it ({@code event}): {@code {key, value, headers, topic, partition,
 * offset, timestamp}}, the value parsed as JSON. A CloudEvent (binary mode: {@code ce_*} headers; structured mode: a
 * JSON value with {@code specversion}) gives its {@code data} as {@code value} and its attributes as
 * {@code attributes}. Format {@code auto} takes a record as a CloudEvent when it is one of those, else as JSON.
 */
final class KafkaTriggerEvents {
    private static final ObjectMapper JSON = new ObjectMapper();

    private KafkaTriggerEvents() {}

    /** A record that cannot be read in the trigger's format. */
    static final class Unreadable extends Exception {
        Unreadable(String message) {
            super(message);
        }
    }

    /** The event, and the idempotency key a record gives by default. */
    record Read(ObjectNode event, String defaultKey) {}

    static Read read(ConsumerRecord<byte[], byte[]> r, String format) throws Unreadable {
        ObjectNode event = JsonNodeFactory.instance.objectNode();
        String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
        if (key == null) {
            event.putNull("key");
        } else {
            event.put("key", key);
        }
        ObjectNode headers = event.putObject("headers");
        for (Header h : r.headers()) {
            if (!headers.has(h.key())) {
                headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
            }
        }
        event.put("topic", r.topic()).put("partition", r.partition()).put("offset", r.offset())
                .put("timestamp", Instant.ofEpochMilli(r.timestamp()).toString());
        boolean binaryCloudEvent = headers.has("ce_specversion");
        JsonNode value = parse(r.value());
        boolean structuredCloudEvent = !binaryCloudEvent && value.isObject() && value.has("specversion")
                && value.has("type") && value.has("id");
        String ceKey = null;
        if ("cloudevent".equals(format) || ("auto".equals(format) && (binaryCloudEvent || structuredCloudEvent))) {
            ObjectNode attributes = event.putObject("attributes");
            if (binaryCloudEvent) {
                for (Iterator<Map.Entry<String, JsonNode>> it = headers.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> h = it.next();
                    if (h.getKey().startsWith("ce_")) {
                        attributes.set(h.getKey().substring(3), h.getValue());
                    }
                }
                event.set("value", value);
            } else if (structuredCloudEvent) {
                value.fields().forEachRemaining(f -> {
                    if (!f.getKey().equals("data") && !f.getKey().equals("data_base64")) {
                        attributes.set(f.getKey(), f.getValue());
                    }
                });
                JsonNode data = value.has("data") ? value.get("data") : value.get("data_base64");
                event.set("value", data == null ? JsonNodeFactory.instance.nullNode() : data);
            } else {
                throw new Unreadable("expected a CloudEvent (ce_specversion header, or a JSON value with"
                        + " specversion, type and id), found " + (value.isObject() ? "a JSON object without them"
                        : "a value that is not a JSON object"));
            }
            if (attributes.hasNonNull("id")) {
                ceKey = "ce:" + attributes.path("source").asText() + "/" + attributes.get("id").asText();
            }
        } else {
            event.set("value", value);
        }
        String defaultKey = key != null ? key : ceKey != null ? ceKey
                : r.topic() + "/" + r.partition() + "/" + r.offset();
        return new Read(event, defaultKey);
    }

    private static JsonNode parse(byte[] bytes) throws Unreadable {
        if (bytes == null) {
            return JsonNodeFactory.instance.nullNode();
        }
        try {
            JsonNode node = JSON.readTree(bytes);
            return node == null || node.isMissingNode() ? JsonNodeFactory.instance.nullNode() : node;
        } catch (IOException e) {
            throw new Unreadable("expected a JSON value, found " + bytes.length + " bytes that do not parse: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
    }
}
