package io.harmonia.domain.trigger;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.domain.definition.Problem;
import io.harmonia.domain.expression.ExpressionEngine;
import io.harmonia.domain.trigger.TriggerSpec.Action;
import io.harmonia.domain.trigger.TriggerSpec.HttpSource;
import io.harmonia.domain.trigger.TriggerSpec.KafkaSource;
import io.harmonia.domain.trigger.TriggerSpec.Signature;
import io.harmonia.domain.trigger.TriggerSpec.SignalAction;
import io.harmonia.domain.trigger.TriggerSpec.Source;
import io.harmonia.domain.trigger.TriggerSpec.StartAction;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Reads and checks a trigger definition, reporting every problem at once with a JSON pointer. Expressions may read
 * {@code event} only (and the functions); they are compile-checked here. The HMAC secret is taken out of the spec.
 */
public final class TriggerSpecReader {

    /** What was read: {@code spec} null when there are problems; {@code secret} the HMAC key given, if any. */
    public record Result(TriggerSpec spec, String secret, List<Problem> problems) {
        public boolean valid() {
            return problems.isEmpty();
        }
    }

    private static final Set<String> FIELDS = Set.of("name", "workflow_id", "version", "source", "filter", "input",
            "idempotency_key", "action");
    /** Fields Harmonia shows on a trigger (GET): sent back in a PUT, they are ignored. */
    private static final Set<String> READ_ONLY = Set.of("trigger_id", "status", "secret_set", "created_at",
            "updated_at", "stats");
    /** Expression variables that are not bound for a trigger: only {@code event} is. */
    private static final Set<String> UNBOUND = Set.of("input", "tasks", "execution", "state", "output", "error",
            "item", "index", "signals");
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final Set<String> FORMATS = Set.of("json", "cloudevent", "auto");
    private static final Pattern HEADER = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}");
    private static final int MIN_SECRET = 16;
    private static final int MAX_SECRET = 1024;

    private final ExpressionEngine expressions;
    private final int maxNameLength;

    public TriggerSpecReader(ExpressionEngine expressions, int maxNameLength) {
        this.expressions = expressions;
        this.maxNameLength = maxNameLength;
    }

    public Result read(JsonNode body) {
        List<Problem> problems = new ArrayList<>();
        if (body == null || !body.isObject()) {
            problems.add(new Problem("", "expected a JSON object with name, workflow_id, source and action, found "
                    + kind(body)));
            return new Result(null, null, problems);
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f) && !READ_ONLY.contains(f)) {
                problems.add(new Problem("/" + f, "expected one of " + new java.util.TreeSet<>(FIELDS)
                        + ", found the unknown field '" + f + "'"));
            }
        }
        String name = text(body, "name", true, problems);
        if (name != null && (name.isBlank() || name.length() > maxNameLength)) {
            problems.add(new Problem("/name", "expected a non-blank name of at most " + maxNameLength
                    + " characters, found " + name.length() + " characters"));
        }
        String workflowId = text(body, "workflow_id", true, problems);
        if (workflowId != null && !isUuid(workflowId)) {
            problems.add(new Problem("/workflow_id", "expected the id (a UUID) of a workflow, found '"
                    + abbreviate(workflowId) + "'"));
        }
        Integer version = null;
        JsonNode v = body.get("version");
        if (v != null && !v.isNull()) {
            if (v.canConvertToInt() && v.isIntegralNumber() && v.asInt() >= 1) {
                version = v.asInt();
            } else {
                problems.add(new Problem("/version", "expected a workflow version (an integer from 1) or null,"
                        + " found " + abbreviate(v.toString())));
            }
        }
        String[] secret = new String[1];
        Source source = source(body.get("source"), secret, problems);
        String filter = expression(body, "filter", problems);
        JsonNode input = template(body.get("input"), "/input", problems);
        String key = expression(body, "idempotency_key", problems);
        Action action = action(body.get("action"), problems);
        if (!problems.isEmpty()) {
            return new Result(null, null, problems);
        }
        return new Result(new TriggerSpec(name, workflowId, version, source, filter, input, key, action), secret[0],
                List.of());
    }

    private Source source(JsonNode src, String[] secret, List<Problem> problems) {
        if (src == null || src.isNull()) {
            problems.add(new Problem("/source", "expected {\"kafka\": {\"topic\": ...}} or {\"http\": {}}, found"
                    + " none"));
            return null;
        }
        if (!src.isObject() || src.size() != 1 || !(src.has("kafka") || src.has("http"))) {
            // the fields only, never the values: a misplaced secret must not be echoed
            List<String> fields = new ArrayList<>();
            src.fieldNames().forEachRemaining(fields::add);
            problems.add(new Problem("/source", "expected an object with exactly one of 'kafka' or 'http', found "
                    + (src.isObject() ? "an object with the fields " + fields : kind(src))));
            return null;
        }
        if (src.has("kafka")) {
            JsonNode k = src.get("kafka");
            if (!k.isObject()) {
                problems.add(new Problem("/source/kafka", "expected an object {\"topic\", \"group\"?, \"format\"?},"
                        + " found " + kind(k)));
                return null;
            }
            unknown(k, Set.of("topic", "group", "format"), "/source/kafka", problems);
            String topic = text(k, "topic", true, "/source/kafka/topic", problems);
            if (topic != null && !TOPIC.matcher(topic).matches()) {
                problems.add(new Problem("/source/kafka/topic", "expected a Kafka topic name (1 to 249 of a-z, A-Z,"
                        + " 0-9, '.', '_', '-'), found '" + abbreviate(topic) + "'"));
            }
            String group = text(k, "group", false, "/source/kafka/group", problems);
            if (group != null && (group.isBlank() || group.length() > 249)) {
                problems.add(new Problem("/source/kafka/group", "expected a consumer group id of 1 to 249"
                        + " characters, found " + group.length()));
            }
            String format = text(k, "format", false, "/source/kafka/format", problems);
            if (format != null && !FORMATS.contains(format)) {
                problems.add(new Problem("/source/kafka/format", "expected one of json, cloudevent, auto, found '"
                        + abbreviate(format) + "'"));
            }
            return new KafkaSource(topic, group, format == null ? "auto" : format);
        }
        JsonNode h = src.get("http");
        if (!h.isObject()) {
            problems.add(new Problem("/source/http", "expected an object {\"signature\"?}, found " + kind(h)));
            return null;
        }
        unknown(h, Set.of("signature"), "/source/http", problems);
        JsonNode sig = h.get("signature");
        if (sig == null || sig.isNull()) {
            return new HttpSource(null);
        }
        if (!sig.isObject()) {
            problems.add(new Problem("/source/http/signature", "expected an object {\"secret\", \"header\"?,"
                    + " \"algorithm\"?}, found " + kind(sig)));
            return null;
        }
        String p = "/source/http/signature";
        unknown(sig, Set.of("header", "secret", "algorithm"), p, problems);
        String header = text(sig, "header", false, p + "/header", problems);
        if (header != null && !HEADER.matcher(header).matches()) {
            problems.add(new Problem(p + "/header", "expected an HTTP header name (1 to 128 token characters),"
                    + " found '" + abbreviate(header) + "'"));
        }
        String algorithm = text(sig, "algorithm", false, p + "/algorithm", problems);
        if (algorithm != null && !TriggerSpec.HMAC_SHA256.equals(algorithm)) {
            problems.add(new Problem(p + "/algorithm", "expected 'hmac-sha256', found '" + abbreviate(algorithm)
                    + "'"));
        }
        String key = text(sig, "secret", false, p + "/secret", problems);
        if (key != null && (key.length() < MIN_SECRET || key.length() > MAX_SECRET)) {
            // the reason gives lengths, never the secret
            problems.add(new Problem(p + "/secret", "expected a secret of " + MIN_SECRET + " to " + MAX_SECRET
                    + " characters, found " + key.length()));
        }
        secret[0] = key;
        return new HttpSource(new Signature(header == null ? TriggerSpec.DEFAULT_SIGNATURE_HEADER : header,
                TriggerSpec.HMAC_SHA256));
    }

    private Action action(JsonNode a, List<Problem> problems) {
        if (a == null || a.isNull() || (a.isTextual() && a.asText().equals("start"))) {
            return new StartAction();
        }
        if (!a.isObject() || a.size() != 1 || !a.has("signal") || !a.get("signal").isObject()) {
            problems.add(new Problem("/action", "expected \"start\" or {\"signal\": {\"execution_id\", \"name\","
                    + " \"payload\"?}}, found " + abbreviate(a.toString())));
            return null;
        }
        JsonNode s = a.get("signal");
        unknown(s, Set.of("execution_id", "name", "payload"), "/action/signal", problems);
        String executionId = expression(s, "execution_id", "/action/signal/execution_id", true, problems);
        String name = text(s, "name", true, "/action/signal/name", problems);
        if (name != null && (name.isBlank() || name.length() > maxNameLength)) {
            problems.add(new Problem("/action/signal/name", "expected a signal name of 1 to " + maxNameLength
                    + " characters, found " + name.length()));
        }
        JsonNode payload = template(s.get("payload"), "/action/signal/payload", problems);
        return new SignalAction(executionId, name, payload);
    }

    private String expression(JsonNode o, String field, List<Problem> problems) {
        return expression(o, field, "/" + field, false, problems);
    }

    private String expression(JsonNode o, String field, String pointer, boolean required, List<Problem> problems) {
        String expr = text(o, field, required, pointer, problems);
        if (expr == null) {
            return null;
        }
        String bare = unwrap(expr);
        for (String reason : expressions.check(bare, UNBOUND)) {
            problems.add(new Problem(pointer, "expected a CEL expression over 'event', found '" + abbreviate(expr)
                    + "': " + reason));
        }
        return bare;
    }

    private JsonNode template(JsonNode t, String pointer, List<Problem> problems) {
        if (t == null || t.isNull()) {
            return null;
        }
        for (ExpressionEngine.ExpressionProblem p : expressions.checkTemplate(t, UNBOUND)) {
            problems.add(new Problem(pointer + p.pointer(), p.reason()));
        }
        return t;
    }

    /** A condition may be written bare or as one {@code ${...}}. */
    private static String unwrap(String expr) {
        String s = expr.strip();
        if (s.startsWith("${") && s.endsWith("}") && s.indexOf("${", 2) < 0) {
            return s.substring(2, s.length() - 1).strip();
        }
        return expr;
    }

    private static void unknown(JsonNode o, Set<String> known, String pointer, List<Problem> problems) {
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                problems.add(new Problem(pointer + "/" + f, "expected one of " + new java.util.TreeSet<>(known)
                        + ", found the unknown field '" + f + "'"));
            }
        }
    }

    private static String text(JsonNode o, String field, boolean required, List<Problem> problems) {
        return text(o, field, required, "/" + field, problems);
    }

    private static String text(JsonNode o, String field, boolean required, String pointer, List<Problem> problems) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                problems.add(new Problem(pointer, "expected a string, found none"));
            }
            return null;
        }
        if (!v.isTextual()) {
            problems.add(new Problem(pointer, "expected a string, found " + kind(v)));
            return null;
        }
        if (v.asText().indexOf('\0') >= 0) {
            problems.add(new Problem(pointer, "expected text without NUL characters (U+0000)"));
            return null;
        }
        return v.asText();
    }

    private static boolean isUuid(String s) {
        try {
            UUID.fromString(s);
            return s.length() == 36;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String kind(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "nothing";
        }
        return n.isNull() ? "null" : n.isTextual() ? "a string" : n.isNumber() ? "a number"
                : n.isBoolean() ? "a boolean" : n.isArray() ? "an array" : "an object";
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
