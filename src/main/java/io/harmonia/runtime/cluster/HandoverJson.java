package io.harmonia.runtime.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Handover} as the JSON kept in the partitions table between two owners:
 * {@code {"clean": true, "undispatched": [{"execution_id", "task_id", "run", "attempt"}]}}. No handover (null) reads
 * as {@link Handover#UNCLEAN}: the last owner died or timed out.
 */
final class HandoverJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private HandoverJson() {}

    static String write(Handover h) {
        if (h == null || !h.clean()) {
            return null;
        }
        ObjectNode o = JSON.createObjectNode().put("clean", true);
        var list = o.putArray("undispatched");
        for (Handover.Attempt a : h.undispatched()) {
            list.addObject().put("execution_id", a.executionId()).put("task_id", a.taskId()).put("run", a.run())
                    .put("attempt", a.attempt());
        }
        return o.toString();
    }

    static Handover read(String json) {
        if (json == null) {
            return Handover.UNCLEAN;
        }
        try {
            JsonNode o = JSON.readTree(json);
            List<Handover.Attempt> attempts = new ArrayList<>();
            for (JsonNode a : o.path("undispatched")) {
                attempts.add(new Handover.Attempt(a.path("execution_id").asText(), a.path("task_id").asText(),
                        a.path("run").asInt(), a.path("attempt").asInt()));
            }
            return new Handover(o.path("clean").asBoolean(false), attempts);
        } catch (Exception e) {
            throw new IllegalStateException("Expected a handover as JSON {clean, undispatched}, found " + json, e);
        }
    }
}
