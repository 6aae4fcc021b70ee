package io.harmonia.domain.trigger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A trigger's definition, validated ({@link TriggerSpecReader}). {@link #toJson()} is its canonical JSON, the form
 * kept in events and views: it never holds the HMAC secret.
 *
 * @param version the workflow version to start; null: the latest at each fire
 * @param filter a CEL condition over {@code event}; null: every event fires
 * @param input a template over {@code event} giving the execution input; null: the event's value (Kafka) or body
 *     (HTTP)
 * @param idempotencyKey a CEL expression over {@code event}; null: the record key (Kafka, else topic/partition/offset)
 *     or the {@code Idempotency-Key} header (HTTP, else every call is new)
 */
public record TriggerSpec(String name, String workflowId, Integer version, Source source, String filter,
        JsonNode input, String idempotencyKey, Action action) {

    public static final String DEFAULT_SIGNATURE_HEADER = "X-Harmonia-Signature";
    public static final String HMAC_SHA256 = "hmac-sha256";

    /** Where events come from. */
    public sealed interface Source {}

    /**
     * Records of a Kafka topic.
     *
     * @param group the consumer group; null: {@code harmonia-trigger-<id>}
     * @param format {@code json}, {@code cloudevent} or {@code auto}
     */
    public record KafkaSource(String topic, String group, String format) implements Source {
        public String groupOf(String triggerId) {
            return group == null ? "harmonia-trigger-" + triggerId : group;
        }
    }

    /** Calls of {@code POST /api/triggers/{id}/fire}; {@code signature} null: unsigned calls are accepted. */
    public record HttpSource(Signature signature) implements Source {}

    /** The HMAC signature a fire must carry in {@code header} (the key itself is kept outside the spec). */
    public record Signature(String header, String algorithm) {}

    /** What a fire does. */
    public sealed interface Action {}

    /** Start an execution of the trigger's workflow (at most once per idempotency key). */
    public record StartAction() implements Action {}

    /**
     * Deliver signal {@code name} to the execution named by {@code executionId} (a CEL expression over the event),
     * with {@code payload} (a template; null: the input mapping's result).
     */
    public record SignalAction(String executionId, String name, JsonNode payload) implements Action {}

    public boolean isKafka() {
        return source instanceof KafkaSource;
    }

    /** The canonical JSON form (no secret): what events, views and the API show. */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("name", name);
        o.put("workflow_id", workflowId);
        if (version == null) {
            o.putNull("version");
        } else {
            o.put("version", version);
        }
        ObjectNode src = o.putObject("source");
        if (source instanceof KafkaSource k) {
            ObjectNode kafka = src.putObject("kafka").put("topic", k.topic());
            if (k.group() == null) {
                kafka.putNull("group");
            } else {
                kafka.put("group", k.group());
            }
            kafka.put("format", k.format());
        } else {
            HttpSource h = (HttpSource) source;
            ObjectNode http = src.putObject("http");
            if (h.signature() == null) {
                http.putNull("signature");
            } else {
                http.putObject("signature").put("header", h.signature().header())
                        .put("algorithm", h.signature().algorithm());
            }
        }
        putText(o, "filter", filter);
        if (input == null) {
            o.putNull("input");
        } else {
            o.set("input", input);
        }
        putText(o, "idempotency_key", idempotencyKey);
        if (action instanceof SignalAction s) {
            ObjectNode signal = o.putObject("action").putObject("signal");
            signal.put("execution_id", s.executionId()).put("name", s.name());
            if (s.payload() == null) {
                signal.putNull("payload");
            } else {
                signal.set("payload", s.payload());
            }
        } else {
            o.put("action", "start");
        }
        return o;
    }

    private static void putText(ObjectNode o, String field, String value) {
        if (value == null) {
            o.putNull(field);
        } else {
            o.put(field, value);
        }
    }
}
