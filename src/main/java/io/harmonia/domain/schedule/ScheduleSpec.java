package io.harmonia.domain.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

/**
 * What a schedule starts and when: an execution of {@code workflowId} (at {@code version}, or the latest when null)
 * with {@code input}, at every time {@code cron} names in {@code timezone}, between {@code startAt} and {@code endAt}
 * (each optional, inclusive). Read from requests by {@link ScheduleSpecReader}.
 *
 * @param catchupWindow how late a fire may still start: fires missed (Harmonia down, no owner) and older than this
 *     are recorded as missed instead
 */
public record ScheduleSpec(String workflowId, Integer version, JsonNode input, String cron, ZoneId timezone,
        Instant startAt, Instant endAt, Overlap overlap, Duration catchupWindow, String name, String description) {

    public ScheduleSpec withOverlap(Overlap newOverlap) {
        return new ScheduleSpec(workflowId, version, input, cron, timezone, startAt, endAt, newOverlap, catchupWindow,
                name, description);
    }

    public ScheduleSpec withWindow(Instant from, Instant until) {
        return new ScheduleSpec(workflowId, version, input, cron, timezone, from, until, overlap, catchupWindow, name,
                description);
    }

    /** The cron times of this spec (parsed each call: cheap, and specs are stored, not their parse). */
    public CronTimes times() {
        return CronTimes.parse(cron, timezone);
    }

    /** The spec as the API shows it (ISO-8601 durations and times, IANA zone). */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("workflow_id", workflowId);
        if (version == null) {
            o.putNull("version");
        } else {
            o.put("version", version);
        }
        o.set("input", input == null ? JsonNodeFactory.instance.objectNode() : input.deepCopy());
        o.put("cron", cron);
        o.put("timezone", timezone.getId());
        o.put("start_at", startAt == null ? null : startAt.toString());
        o.put("end_at", endAt == null ? null : endAt.toString());
        o.put("overlap", overlap.json());
        o.put("catchup_window", catchupWindow.toString());
        o.put("name", name);
        o.put("description", description);
        return o;
    }
}
