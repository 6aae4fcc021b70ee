package io.harmonia.projection.schedules;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.domain.schedule.ScheduleState;
import java.time.Instant;

/** A schedule as the API shows it: its spec, status, next fire times, counts and recent fires. */
public final class ScheduleView {
    private ScheduleView() {}

    /** The view of {@code s} with up to {@code nextFires} next fire times. */
    public static ObjectNode of(ScheduleState s, int nextFires) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("schedule_id", s.scheduleId());
        o.setAll(s.spec().toJson());
        o.put("status", s.status().json());
        ArrayNode next = o.putArray("next_fire_times");
        s.nextFires(nextFires).forEach(t -> next.add(t.toString()));
        time(o, "buffered_fire_time", s.buffered());
        o.put("last_execution_id", s.lastExecutionId());
        ObjectNode counts = o.putObject("counts");
        counts.put("started", s.counts().started()).put("skipped", s.counts().skipped())
                .put("buffered", s.counts().buffered()).put("canceled_previous", s.counts().canceledPrevious())
                .put("failed", s.counts().failed()).put("missed", s.counts().missed());
        ArrayNode fires = o.putArray("recent_fires");
        for (ScheduleState.Fire f : s.recent()) {
            ObjectNode fire = fires.addObject();
            fire.put("fire_time", f.fireTime().toString());
            fire.put("execution_id", f.executionId());
            fire.put("outcome", f.outcome().json());
            fire.put("manual", f.manual());
            if (f.previousExecutionId() != null) {
                fire.put("previous_execution_id", f.previousExecutionId());
            }
            if (f.reason() != null) {
                fire.put("reason", f.reason());
            }
            fire.put("at", f.at().toString());
        }
        o.put("stream_version", s.version());
        o.put("created_at", s.createdAt().toString());
        o.put("updated_at", s.updatedAt().toString());
        return o;
    }

    private static void time(ObjectNode o, String field, Instant t) {
        if (t == null) {
            o.putNull(field);
        } else {
            o.put(field, t.toString());
        }
    }
}
