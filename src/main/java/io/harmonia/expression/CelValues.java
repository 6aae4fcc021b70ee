package io.harmonia.expression;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.primitives.UnsignedLong;
import com.google.protobuf.ByteString;
import com.google.protobuf.NullValue;
import com.google.protobuf.Timestamp;
import dev.cel.common.types.CelType;
import dev.cel.common.types.TypeType;
import dev.cel.common.values.CelByteString;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Converts between Jackson {@link JsonNode}s and the Java values cel-java evaluates over.
 *
 * <p>JSON to CEL: integral numbers that fit a {@code long} become {@code Long} (CEL {@code int}), every other number
 * becomes {@code Double} (CEL {@code double}; integers beyond the {@code long} range lose precision), text becomes
 * {@code String}, booleans {@code Boolean}, JSON null (and a missing or Java-null node) the protobuf
 * {@link NullValue#NULL_VALUE} that cel-java uses for {@code null}, objects unmodifiable {@code Map<String, Object>}
 * and arrays unmodifiable {@code List<Object>}; binary nodes become {@code bytes}.
 *
 * <p>CEL to JSON: {@code Long} and {@code UnsignedLong} give integral nodes of the kind Jackson reads for the same
 * number ({@code IntNode} within the int range, {@code LongNode} or {@code BigIntegerNode} beyond, so a resolved
 * value equals the same value read back from JSON text), {@code Double} a double node (NaN and infinities are
 * refused), timestamps and durations ISO-8601 text ({@code 2026-01-02T03:04:05Z},
 * {@code PT3S}), bytes base64 text, types their CEL name ({@code int}), maps objects (non-string keys are written as
 * their text, {@code 1} or {@code true}) and lists arrays.
 */
final class CelValues {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private CelValues() {}

    /** A CEL value that has no JSON form. The message says why; callers add the expression. */
    static final class UnsupportedValueException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnsupportedValueException(String message) {
            super(message);
        }
    }

    /** The CEL value of a JSON node. */
    static Object fromJson(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return NullValue.NULL_VALUE;
        }
        if (node.isIntegralNumber()) {
            return node.canConvertToLong() ? (Object) node.longValue() : (Object) node.doubleValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>(node.size() * 2);
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                map.put(field.getKey(), fromJson(field.getValue()));
            }
            return Collections.unmodifiableMap(map);
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            for (JsonNode element : node) {
                list.add(fromJson(element));
            }
            return Collections.unmodifiableList(list);
        }
        if (node.isBinary()) {
            try {
                return ByteString.copyFrom(node.binaryValue());
            } catch (IOException e) {
                throw new UnsupportedValueException("cannot read a binary JSON value: " + e.getMessage());
            }
        }
        throw new UnsupportedValueException("a JSON value of kind " + node.getNodeType() + " has no CEL form");
    }

    /** The JSON form of a CEL value. */
    static JsonNode toJson(Object value) {
        return toJson(value, null, null);
    }

    /**
     * The JSON form of a CEL value, charging {@code meter} (when not {@code null}) one unit per value before its node
     * is made. Strings are shared, not copied; whoever writes the JSON out bounds its length ({@link BoundedJson}).
     */
    static JsonNode toJson(Object value, Meter meter, String what) {
        if (meter != null) {
            meter.charge(1, what);
        }
        if (value == null || value instanceof NullValue || value instanceof dev.cel.common.values.NullValue) {
            return NODES.nullNode();
        }
        if (value instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (value instanceof Long l) {
            return integral(l);
        }
        if (value instanceof Integer i) {
            return NODES.numberNode(i);
        }
        if (value instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                throw new UnsupportedValueException("the double " + d + " has no JSON form");
            }
            return NODES.numberNode(d);
        }
        if (value instanceof Float f) {
            return toJson(f.doubleValue(), meter, what);
        }
        if (value instanceof String s) {
            return NODES.textNode(s);
        }
        if (value instanceof UnsignedLong u) {
            return u.longValue() >= 0 ? integral(u.longValue()) : NODES.numberNode(u.bigIntegerValue());
        }
        if (value instanceof ByteString bytes) {
            // Before Iterable: a ByteString is an Iterable<Byte>.
            return NODES.textNode(Base64.getEncoder().encodeToString(bytes.toByteArray()));
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode object = NODES.objectNode();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                object.set(keyText(entry.getKey()), toJson(entry.getValue(), meter, what));
            }
            return object;
        }
        if (value instanceof Iterable<?> list) {
            ArrayNode array = NODES.arrayNode();
            for (Object element : list) {
                array.add(toJson(element, meter, what));
            }
            return array;
        }
        if (value instanceof Timestamp ts) {
            return NODES.textNode(Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos()).toString());
        }
        if (value instanceof com.google.protobuf.Duration d) {
            return NODES.textNode(Duration.ofSeconds(d.getSeconds(), d.getNanos()).toString());
        }
        if (value instanceof Instant instant) {
            return NODES.textNode(instant.toString());
        }
        if (value instanceof Duration duration) {
            return NODES.textNode(duration.toString());
        }
        if (value instanceof CelByteString bytes) {
            return NODES.textNode(Base64.getEncoder().encodeToString(bytes.toByteArray()));
        }
        if (value instanceof byte[] bytes) {
            return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
        }
        if (value instanceof TypeType type) {
            return NODES.textNode(typeName(type));
        }
        if (value instanceof CelType type) {
            return NODES.textNode(type.name());
        }
        if (value instanceof Optional<?> optional) {
            return optional.isPresent() ? toJson(optional.get(), meter, what) : NODES.nullNode();
        }
        throw new UnsupportedValueException("a value of Java type " + value.getClass().getName() + " has no JSON form");
    }

    /** The CEL type name of a value, for messages: {@code int}, {@code string}, {@code map}... */
    static String celTypeName(Object value) {
        if (value == null || value instanceof NullValue || value instanceof dev.cel.common.values.NullValue) {
            return "null";
        }
        if (value instanceof Boolean) {
            return "bool";
        }
        if (value instanceof Long || value instanceof Integer) {
            return "int";
        }
        if (value instanceof Double || value instanceof Float) {
            return "double";
        }
        if (value instanceof String) {
            return "string";
        }
        if (value instanceof UnsignedLong) {
            return "uint";
        }
        if (value instanceof Map<?, ?>) {
            return "map";
        }
        if (value instanceof Iterable<?>) {
            return "list";
        }
        if (value instanceof Timestamp || value instanceof Instant) {
            return "timestamp";
        }
        if (value instanceof com.google.protobuf.Duration || value instanceof Duration) {
            return "duration";
        }
        if (value instanceof ByteString || value instanceof CelByteString || value instanceof byte[]) {
            return "bytes";
        }
        if (value instanceof CelType) {
            return "type";
        }
        return value.getClass().getSimpleName();
    }

    /**
     * The node Jackson itself reads for this number ({@code IntNode} in the int range, {@code LongNode} beyond), so
     * that a resolved value equals the same value read back from JSON text.
     */
    private static JsonNode integral(long value) {
        return value == (int) value ? NODES.numberNode((int) value) : NODES.numberNode(value);
    }

    private static String keyText(Object key) {
        if (key instanceof String s) {
            return s;
        }
        return String.valueOf(key);
    }

    private static String typeName(TypeType type) {
        return type.parameters().isEmpty() ? type.name() : type.parameters().get(0).name();
    }
}
