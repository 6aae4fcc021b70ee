package io.harmonia.eventstore;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.harmonia.domain.execution.ExecutionEvent;
import io.harmonia.domain.schedule.ScheduleEvent;
import io.harmonia.domain.trigger.TriggerEvent;
import io.harmonia.domain.workflow.WorkflowEvent;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Event type and schema version <-> JSON. Every event type is registered here with its version; when a shape
 * changes, the new version is registered next to the old one (with an upcaster), so old events stay readable.
 */
public final class EventCodec {

    /** An event as stored: its type, schema version and JSON payload. */
    public record Encoded(String type, int schemaVersion, JsonNode payload) {}

    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private static final Map<String, Class<?>> BY_KEY = new HashMap<>();
    private static final Map<Class<?>, Integer> VERSION = new HashMap<>();
    /** Older schema versions: type@version -> the upcaster to the current shape. */
    private static final Map<String, UnaryOperator<ObjectNode>> UPCASTERS = new HashMap<>();
    /** Types whose current schema version is not 1. */
    private static final Map<Class<?>, Integer> CURRENT = Map.of(ExecutionEvent.ExecutionStarted.class, 3,
            ExecutionEvent.CheckpointCreated.class, 3);

    static {
        for (Class<?> c : ExecutionEvent.class.getPermittedSubclasses()) {
            if (c.isRecord()) {
                register(c, CURRENT.getOrDefault(c, 1));
            }
        }
        for (Class<?> c : ExecutionEvent.TaskEvent.class.getPermittedSubclasses()) {
            register(c, CURRENT.getOrDefault(c, 1));
        }
        for (Class<?> c : WorkflowEvent.class.getPermittedSubclasses()) {
            register(c, CURRENT.getOrDefault(c, 1));
        }
        for (Class<?> c : ScheduleEvent.class.getPermittedSubclasses()) {
            register(c, CURRENT.getOrDefault(c, 1));
        }
        for (Class<?> c : TriggerEvent.class.getPermittedSubclasses()) {
            register(c, CURRENT.getOrDefault(c, 1));
        }
        // ExecutionStarted v2 -> v3: parent was added (a v2 start was no sub-workflow); register the newest first,
        // so that an older version's upcaster chains to it
        upcaster(ExecutionEvent.ExecutionStarted.class, 2, v2 -> {
            v2.putNull("parent");
            return v2;
        });
        // CheckpointCreated v2 -> v3: the snapshot gained signals (a v2 snapshot had received none)
        upcaster(ExecutionEvent.CheckpointCreated.class, 2, v2 -> {
            if (v2.get("snapshot") instanceof ObjectNode snapshot) {
                snapshot.putNull("signals");
            }
            return v2;
        });
        // CheckpointCreated v1 -> v2: the snapshot gained flow, fan_outs and parent (a v1 snapshot had none)
        upcaster(ExecutionEvent.CheckpointCreated.class, 1, v1 -> {
            if (v1.get("snapshot") instanceof ObjectNode snapshot) {
                snapshot.putNull("flow");
                snapshot.putNull("fan_outs");
                snapshot.putNull("parent");
            }
            return v1;
        });
        // ExecutionStarted v1 -> v2: replay_of and restored_from were added (a v1 start was neither)
        upcaster(ExecutionEvent.ExecutionStarted.class, 1, v1 -> {
            v1.putNull("replay_of");
            v1.putNull("restored_from");
            return v1;
        });
    }

    private EventCodec() {}

    private static void register(Class<?> type, int version) {
        BY_KEY.put(type.getSimpleName() + "@" + version, type);
        VERSION.put(type, version);
    }

    /** Reads {@code type} at {@code oldVersion} as its current version, after {@code upcast} (of the next version). */
    private static void upcaster(Class<?> type, int oldVersion, UnaryOperator<ObjectNode> upcast) {
        String key = type.getSimpleName() + "@" + oldVersion;
        BY_KEY.put(key, type);
        UnaryOperator<ObjectNode> next = UPCASTERS.get(type.getSimpleName() + "@" + (oldVersion + 1));
        UPCASTERS.put(key, next == null ? upcast : o -> next.apply(upcast.apply(o)));
    }

    /** The schema version events of {@code type} are written with now. */
    public static int currentVersion(Class<?> type) {
        Integer v = VERSION.get(type);
        if (v == null) {
            throw new IllegalArgumentException("Expected a registered event type, found " + type);
        }
        return v;
    }

    public static Encoded encode(Object event) {
        Integer version = VERSION.get(event.getClass());
        if (version == null) {
            throw new IllegalArgumentException("Expected a registered event type, found " + event.getClass());
        }
        return new Encoded(event.getClass().getSimpleName(), version, JSON.valueToTree(event));
    }

    /** The type, version and JSON text of an event, written straight to text (no intermediate tree). */
    public static String[] encodeToText(Object event) {
        Integer version = VERSION.get(event.getClass());
        if (version == null) {
            throw new IllegalArgumentException("Expected a registered event type, found " + event.getClass());
        }
        try {
            return new String[] {event.getClass().getSimpleName(), String.valueOf(version),
                    JSON.writeValueAsString(event)};
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Could not write event " + event.getClass().getSimpleName(), e);
        }
    }

    /** Decodes an event from its stored JSON text (one pass: no intermediate tree). */
    public static Object decode(String type, int schemaVersion, String payload) {
        Class<?> c = BY_KEY.get(type + "@" + schemaVersion);
        if (c == null) {
            throw new IllegalArgumentException("Expected a known event type and version, found " + type + " v"
                    + schemaVersion);
        }
        try {
            UnaryOperator<ObjectNode> upcast = UPCASTERS.get(type + "@" + schemaVersion);
            if (upcast != null) {
                return JSON.treeToValue(upcast.apply((ObjectNode) JSON.readTree(payload)), c);
            }
            return JSON.readValue(payload, c);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalArgumentException("Could not read event " + type + " v" + schemaVersion + ": "
                    + e.getMessage(), e);
        }
    }

    /** The snake_case JSON mapper events use; handy for views built from events. */
    public static ObjectMapper json() {
        return JSON;
    }
}
