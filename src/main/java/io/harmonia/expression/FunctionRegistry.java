package io.harmonia.expression;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Timestamp;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.types.SimpleType;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelFunctionOverload;
import io.harmonia.domain.expression.EvaluationContext;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The one place where the functions Harmonia adds to CEL are declared (for the type-checker) and implemented (for the
 * runtime). Everything in standard CEL (operators, {@code size}, {@code has}, {@code matches}, {@code int()},
 * {@code timestamp()}, the {@code all/exists/exists_one/map/filter} macros...) and the cel-java string extension
 * ({@code charAt}, {@code indexOf}, {@code lastIndexOf}, {@code lowerAscii}, {@code upperAscii}, {@code replace},
 * {@code split}, {@code substring}, {@code trim}, {@code join}...) is available as well.
 *
 * <table>
 *   <caption>Harmonia functions</caption>
 *   <tr><th>Function</th><th>Result</th></tr>
 *   <tr><td>{@code now()}</td>
 *       <td>{@code string}: the engine's clock reading for this decision ({@code EvaluationContext.now}), never the
 *       real clock, as ISO-8601 UTC with milliseconds, e.g. {@code "2026-01-02T03:04:05.123Z"}. Use
 *       {@code timestamp(now())} for timestamp arithmetic.</td></tr>
 *   <tr><td>{@code uuid()}</td>
 *       <td>{@code string}: a deterministic UUID (version 3, name-based) made from the context's
 *       {@code uuidSeed} and a call counter that starts at 0 for every {@code resolve}/{@code test} call and grows
 *       with each {@code uuid()} call, in template order. The same context and template give the same ids on replay;
 *       two calls in one template give different ids. A missing seed counts as the empty string.</td></tr>
 *   <tr><td>{@code formatDate(string ts, string pattern)}</td>
 *       <td>{@code string}: {@code ts} (ISO-8601 instant, date-time with offset, local date-time taken as UTC, or date
 *       taken as midnight UTC) formatted in UTC with a moment.js-style pattern: {@code YYYY}, {@code YY}, {@code MM},
 *       {@code M}, {@code DD}, {@code D}, {@code HH}, {@code H}, {@code mm}, {@code ss}, {@code SSS}; text in
 *       {@code [brackets]} and any other character is copied. {@code formatDate("2026-01-02T03:04:05Z",
 *       "YYYY-MM-DD")} is {@code "2026-01-02"}. A {@code ts} that is not ISO-8601 is an evaluation error.</td></tr>
 *   <tr><td>{@code formatDate(timestamp ts, string pattern)}</td>
 *       <td>The same for a CEL timestamp, e.g. {@code formatDate(timestamp(now()) + duration('24h'), 'YYYY-MM-DD')}.
 *       </td></tr>
 *   <tr><td>{@code parseJson(string json)}</td>
 *       <td>{@code dyn}: the JSON text parsed into CEL values (same mapping as the variables: integral numbers are
 *       {@code int}, other numbers {@code double}). Invalid JSON is an evaluation error.</td></tr>
 *   <tr><td>{@code toJson(dyn value)}</td>
 *       <td>{@code string}: the compact JSON text of {@code value}, e.g. {@code toJson({'a': [1, 2]})} is
 *       {@code "{\"a\":[1,2]}"}. A value without JSON form (NaN, infinity) is an evaluation error.</td></tr>
 * </table>
 *
 * <p>The functions are bound late, to a pooled {@link MeteredFunctions.Slot} that serves one evaluation at a time
 * ({@link #bindingsFor}), so the context they read (clock reading, uuid seed, counter, meter) belongs to that
 * evaluation alone: no thread-locals. {@code formatDate} and {@code parseJson} are charged per character,
 * {@code toJson} per value written and never writes more than the string limit.
 */
final class FunctionRegistry {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String NOW = "harmonia_now";
    private static final String UUID_ = "harmonia_uuid";
    private static final String FORMAT_DATE_STRING = "harmonia_formatDate_string_string";
    private static final String FORMAT_DATE_TIMESTAMP = "harmonia_formatDate_timestamp_string";
    private static final String PARSE_JSON = "harmonia_parseJson_string";
    private static final String TO_JSON = "harmonia_toJson_dyn";

    private static final List<CelFunctionDecl> DECLARATIONS = List.of(
            CelFunctionDecl.newFunctionDeclaration("now", CelOverloadDecl.newGlobalOverload(NOW, SimpleType.STRING)),
            CelFunctionDecl.newFunctionDeclaration(
                    "uuid", CelOverloadDecl.newGlobalOverload(UUID_, SimpleType.STRING)),
            CelFunctionDecl.newFunctionDeclaration(
                    "formatDate",
                    CelOverloadDecl.newGlobalOverload(
                            FORMAT_DATE_STRING, SimpleType.STRING, SimpleType.STRING, SimpleType.STRING),
                    CelOverloadDecl.newGlobalOverload(
                            FORMAT_DATE_TIMESTAMP, SimpleType.STRING, SimpleType.TIMESTAMP, SimpleType.STRING)),
            CelFunctionDecl.newFunctionDeclaration(
                    "parseJson", CelOverloadDecl.newGlobalOverload(PARSE_JSON, SimpleType.DYN, SimpleType.STRING)),
            CelFunctionDecl.newFunctionDeclaration(
                    "toJson", CelOverloadDecl.newGlobalOverload(TO_JSON, SimpleType.STRING, SimpleType.DYN)));

    private FunctionRegistry() {}

    /** What the type-checker needs to know about the functions. */
    static List<CelFunctionDecl> declarations() {
        return DECLARATIONS;
    }

    /**
     * The implementations, bound to one {@link MeteredFunctions.Slot}: the slot supplies the evaluation's context
     * (clock reading, uuid seed), its uuid counter and its {@link Meter}. A slot serves one {@code resolve}/{@code
     * test} call at a time, on one thread.
     */
    static List<CelFunctionBinding> bindingsFor(MeteredFunctions.Slot slot) {
        return List.of(
                CelFunctionBinding.from(NOW, List.of(), (CelFunctionOverload) args -> now(slot.context())),
                CelFunctionBinding.from(UUID_, List.of(), (CelFunctionOverload) args ->
                        uuid(slot.context(), slot.nextUuidCall())),
                CelFunctionBinding.from(FORMAT_DATE_STRING, String.class, String.class, (ts, pattern) -> {
                    slot.meter().charge(MeteredFunctions.CALL + ts.length() + 4L * pattern.length(), "formatDate");
                    return formatDate(ts, pattern);
                }),
                CelFunctionBinding.from(FORMAT_DATE_TIMESTAMP, Timestamp.class, String.class, (ts, pattern) -> {
                    slot.meter().charge(MeteredFunctions.CALL + 4L * pattern.length(), "formatDate");
                    return formatDate(ts, pattern);
                }),
                CelFunctionBinding.from(PARSE_JSON, String.class, text -> {
                    slot.meter().charge(MeteredFunctions.CALL + 4L * text.length(), "parseJson");
                    return parseJson(text);
                }),
                CelFunctionBinding.from(TO_JSON, Object.class, value -> toJson(value, slot.meter())));
    }

    private static String now(EvaluationContext context) throws CelEvaluationException {
        if (context.now() == null) {
            throw new CelEvaluationException("now() is not available: the evaluation context has no clock reading");
        }
        return DateFunctions.isoMillis(context.now());
    }

    private static String uuid(EvaluationContext context, long call) {
        String seed = context.uuidSeed() == null ? "" : context.uuidSeed();
        byte[] name = (seed + "#" + call).getBytes(StandardCharsets.UTF_8);
        return UUID.nameUUIDFromBytes(name).toString();
    }

    private static String formatDate(String ts, String pattern) throws CelEvaluationException {
        Instant instant;
        try {
            instant = DateFunctions.parseInstant(ts);
        } catch (IllegalArgumentException e) {
            throw new CelEvaluationException("formatDate: " + e.getMessage());
        }
        return DateFunctions.format(instant, pattern);
    }

    private static String formatDate(Timestamp ts, String pattern) throws CelEvaluationException {
        Instant instant;
        try {
            instant = Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos());
        } catch (RuntimeException e) {
            throw new CelEvaluationException("formatDate: the timestamp is out of range");
        }
        return DateFunctions.format(instant, pattern);
    }

    private static Object parseJson(String text) throws CelEvaluationException {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new CelEvaluationException("parseJson: invalid JSON: " + e.getOriginalMessage());
        }
        if (node == null || node.isMissingNode()) {
            throw new CelEvaluationException("parseJson: invalid JSON: no value");
        }
        try {
            return CelValues.fromJson(node);
        } catch (CelValues.UnsupportedValueException e) {
            throw new CelEvaluationException("parseJson: " + e.getMessage());
        }
    }

    private static String toJson(Object value, Meter meter) throws CelEvaluationException {
        JsonNode json;
        try {
            json = CelValues.toJson(value, meter, "toJson");
        } catch (CelValues.UnsupportedValueException e) {
            throw new CelEvaluationException("toJson: " + e.getMessage());
        }
        return BoundedJson.write(json, meter, "toJson");
    }
}
