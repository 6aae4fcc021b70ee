package io.harmonia.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.eventstore.EventCodec;
import io.harmonia.eventstore.RecordedEvent;
import java.util.List;

/**
 * One page of a stream's events as the API answers it ({@code GET /api/executions/{id}/events},
 * {@code GET /api/schedules/{id}/events}): {@code {<idField>: id, items: [{sequence, type, schema_version,
 * occurred_at, data}], next_after}}; {@code next_after} is null when the page was not full.
 */
final class EventPages {
    private EventPages() {}

    static JsonNode of(String idField, String id, int after, int limit, List<RecordedEvent> events) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put(idField, id);
        var items = o.putArray("items");
        int last = after;
        for (var e : events) {
            ObjectNode item = items.addObject();
            item.put("sequence", e.streamVersion());
            item.put("type", e.type());
            item.put("schema_version", e.schemaVersion());
            item.put("occurred_at", e.occurredAt().toString());
            item.set("data", EventCodec.encode(e.event()).payload());
            last = e.streamVersion();
        }
        if (events.size() == limit) {
            o.put("next_after", last);
        } else {
            o.putNull("next_after");
        }
        return o;
    }
}
