package io.harmonia.webhook;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.eventstore.FeedPosition;
import java.time.Instant;
import java.util.List;

/**
 * A webhook subscription and its delivery state.
 *
 * @param eventTypes stream names ({@code task_completed}, ...); empty = every type
 * @param workflowId only events of this workflow's executions, or null for all
 * @param cursor everything in the global feed up to here was delivered or did not match
 * @param attempts failed attempts of the event being delivered
 */
public record WebhookSubscription(String id, String url, List<String> eventTypes, String workflowId, String secret,
        Instant createdAt, FeedPosition cursor, int attempts, Instant nextAttemptAt, Instant lastAttemptAt,
        Integer lastStatus, String lastError, long delivered, Instant lastDeliveredAt, String lastDeliveredId) {

    /** Whether an event of this type and workflow is for this subscription. */
    public boolean matches(String type, String eventWorkflowId) {
        return (eventTypes.isEmpty() || eventTypes.contains(type))
                && (workflowId == null || workflowId.equals(eventWorkflowId));
    }

    /** The API representation; the secret only when it was just created. */
    public ObjectNode toJson(boolean withSecret) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("id", id);
        o.put("url", url);
        ArrayNode types = o.putArray("event_types");
        eventTypes.forEach(types::add);
        if (workflowId == null) {
            o.putNull("workflow_id");
        } else {
            o.put("workflow_id", workflowId);
        }
        if (withSecret) {
            o.put("secret", secret);
        }
        o.put("created_at", createdAt.toString());
        ObjectNode d = o.putObject("delivery");
        d.put("delivered", delivered);
        time(d, "last_delivered_at", lastDeliveredAt);
        if (lastDeliveredId == null) {
            d.putNull("last_delivered_id");
        } else {
            d.put("last_delivered_id", lastDeliveredId);
        }
        d.put("failing", attempts > 0);
        d.put("attempts", attempts);
        time(d, "next_attempt_at", attempts > 0 ? nextAttemptAt : null);
        time(d, "last_attempt_at", lastAttemptAt);
        if (lastStatus == null) {
            d.putNull("last_status");
        } else {
            d.put("last_status", lastStatus);
        }
        if (lastError == null) {
            d.putNull("last_error");
        } else {
            d.put("last_error", lastError);
        }
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
