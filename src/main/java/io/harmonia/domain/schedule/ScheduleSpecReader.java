package io.harmonia.domain.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.harmonia.domain.definition.InvalidRequest;
import io.harmonia.domain.definition.Problem;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** Reads a schedule request body into a {@link ScheduleSpec}, reporting every problem at once (a 422). */
public final class ScheduleSpecReader {
    private static final Set<String> FIELDS = Set.of("workflow_id", "version", "input", "cron", "timezone",
            "start_at", "end_at", "overlap", "catchup_window", "paused", "name", "description");
    /** Fields of a schedule's view that a request may carry (sent back as read) and that are ignored. */
    private static final Set<String> READ_ONLY = Set.of("schedule_id", "status", "next_fire_times",
            "buffered_fire_time", "last_execution_id", "counts", "recent_fires", "stream_version", "created_at",
            "updated_at");

    /** A spec read, and whether the request asks for the schedule to start paused. */
    public record Read(ScheduleSpec spec, boolean paused) {}

    /** The limits a spec is read with. */
    public record Limits(Duration defaultCatchupWindow, Duration maxCatchupWindow, int maxNameLength) {}

    /** The zone of a spec that names none. */
    public static final ZoneId UTC = ZoneId.of("UTC");

    private ScheduleSpecReader() {}

    /** @throws InvalidRequest naming each field that is missing or wrong, with what was expected and found */
    public static Read read(JsonNode body, Limits limits) {
        List<Problem> problems = new ArrayList<>();
        if (body == null || !body.isObject()) {
            throw new InvalidRequest("The schedule is invalid", List.of(new Problem("",
                    "expected a JSON object, found " + (body == null ? "no body" : body.getNodeType().name().toLowerCase()))));
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name) && !READ_ONLY.contains(name)) {
                problems.add(new Problem("/" + name, "expected one of " + new java.util.TreeSet<>(FIELDS)
                        + ", found unknown field '" + name + "'"));
            }
        }
        String workflowId = text(body, "workflow_id", true, problems);
        if (workflowId != null) {
            try {
                workflowId = UUID.fromString(workflowId).toString();
            } catch (IllegalArgumentException e) {
                problems.add(new Problem("/workflow_id", "expected a workflow id (a UUID), found '" + workflowId + "'"));
            }
        }
        Integer version = null;
        JsonNode v = body.get("version");
        if (v != null && !v.isNull()) {
            if (v.canConvertToInt() && v.isIntegralNumber() && v.asInt() >= 1) {
                version = v.asInt();
            } else {
                problems.add(new Problem("/version", "expected a version number of at least 1 or null, found " + v));
            }
        }
        JsonNode input = body.get("input");
        if (input == null || input.isNull()) {
            input = JsonNodeFactory.instance.objectNode();
        } else if (!input.isObject()) {
            problems.add(new Problem("/input", "expected a JSON object, found " + input.getNodeType().name().toLowerCase()));
        }
        ZoneId zone = UTC;
        String tz = text(body, "timezone", false, problems);
        if (tz != null) {
            try {
                zone = ZoneId.of(tz);
            } catch (DateTimeException e) {
                problems.add(new Problem("/timezone", "expected an IANA time zone (e.g. 'Europe/Paris') or 'UTC', found '"
                        + tz + "'"));
            }
        }
        String cron = text(body, "cron", true, problems);
        if (cron != null) {
            try {
                CronTimes.parse(cron, zone);
            } catch (IllegalArgumentException e) {
                problems.add(new Problem("/cron", e.getMessage()));
            }
        }
        Instant startAt = instant(body, "start_at", problems);
        Instant endAt = instant(body, "end_at", problems);
        if (startAt != null && endAt != null && !endAt.isAfter(startAt)) {
            problems.add(new Problem("/end_at", "expected a time after start_at (" + startAt + "), found " + endAt));
        }
        Overlap overlap = Overlap.SKIP;
        String o = text(body, "overlap", false, problems);
        if (o != null) {
            overlap = Overlap.named(o).orElse(null);
            if (overlap == null) {
                problems.add(new Problem("/overlap", "expected one of skip, buffer_one, allow, cancel_previous, found '"
                        + o + "'"));
            }
        }
        Duration window = limits.defaultCatchupWindow();
        String w = text(body, "catchup_window", false, problems);
        if (w != null) {
            try {
                window = Duration.parse(w);
                if (window.isNegative() || window.compareTo(limits.maxCatchupWindow()) > 0) {
                    problems.add(new Problem("/catchup_window", "expected a duration from PT0S to "
                            + limits.maxCatchupWindow() + ", found " + w));
                }
            } catch (DateTimeParseException e) {
                problems.add(new Problem("/catchup_window", "expected an ISO-8601 duration (e.g. PT1M), found '" + w
                        + "'"));
            }
        }
        boolean paused = false;
        JsonNode p = body.get("paused");
        if (p != null && !p.isNull()) {
            if (p.isBoolean()) {
                paused = p.booleanValue();
            } else {
                problems.add(new Problem("/paused", "expected true or false, found " + p));
            }
        }
        String name = text(body, "name", false, problems);
        if (name != null && name.length() > limits.maxNameLength()) {
            problems.add(new Problem("/name", "expected at most " + limits.maxNameLength() + " characters, found "
                    + name.length()));
        }
        String description = text(body, "description", false, problems);
        if (!problems.isEmpty()) {
            throw new InvalidRequest("The schedule is invalid", problems);
        }
        return new Read(new ScheduleSpec(workflowId, version, input, cron.trim(), zone, startAt, endAt, overlap,
                window, name, description), paused);
    }

    private static String text(JsonNode body, String field, boolean required, List<Problem> problems) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                problems.add(new Problem("/" + field, "expected a string, found none"));
            }
            return null;
        }
        if (!n.isTextual()) {
            problems.add(new Problem("/" + field, "expected a string, found " + n.getNodeType().name().toLowerCase()));
            return null;
        }
        if (n.asText().indexOf('\0') >= 0) {
            problems.add(new Problem("/" + field, "expected text without NUL characters (U+0000), found one"));
            return null;
        }
        return n.asText();
    }

    private static Instant instant(JsonNode body, String field, List<Problem> problems) {
        String t = text(body, field, false, problems);
        if (t == null) {
            return null;
        }
        try {
            return java.time.OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException e) {
            problems.add(new Problem("/" + field, "expected an ISO-8601 time with an offset (e.g."
                    + " 2026-12-01T09:00:00Z), found '" + t + "'"));
            return null;
        }
    }
}
