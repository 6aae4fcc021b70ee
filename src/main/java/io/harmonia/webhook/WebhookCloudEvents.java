package io.harmonia.webhook;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.harmonia.stream.StreamMessage;

/**
 * A delivered event as a CloudEvent in JSON structured mode ({@code application/cloudevents+json}):
 *
 * <pre>
 * {"specversion": "1.0", "id": "execution-&lt;id&gt;/4", "source": "/harmonia", "type": "io.harmonia.task.completed",
 *  "subject": "&lt;execution id&gt;", "time": "…", "datacontenttype": "application/json",
 *  "workflowid": "…", "sequence": "4", "data": { the live-stream message }}
 * </pre>
 *
 * {@code type} is the same as on Kafka ({@code io.harmonia.execution.*}, {@code io.harmonia.task.*}); the stream
 * name ({@code task_completed}) is {@code data.type}.
 */
public final class WebhookCloudEvents {
    public static final String CONTENT_TYPE = "application/cloudevents+json; charset=utf-8";

    private WebhookCloudEvents() {}

    public static String of(StreamMessage m, String source) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("specversion", "1.0");
        o.put("id", id(m));
        o.put("source", source);
        o.put("type", type(m.type()));
        o.put("subject", m.executionId());
        o.put("time", m.time().toString());
        o.put("datacontenttype", "application/json");
        if (m.workflowId() != null) {
            o.put("workflowid", m.workflowId());
        }
        o.put("sequence", String.valueOf(m.sequence()));
        o.putRawValue("data", new RawValue(m.json()));
        return o.toString();
    }

    /** Unique per event: {@code execution-<id>/<sequence>}, as on Kafka. Receivers deduplicate by it. */
    public static String id(StreamMessage m) {
        return "execution-" + m.executionId() + "/" + m.sequence();
    }

    /** {@code workflow_started} is {@code io.harmonia.execution.started}; {@code task_retry_scheduled} is
     * {@code io.harmonia.task.retry_scheduled}; any other name as on Kafka: {@code transition_taken} is
     * {@code io.harmonia.transition.taken}, {@code state_updated} {@code io.harmonia.state.updated}. */
    public static String type(String streamName) {
        if (streamName.startsWith("workflow_")) {
            return "io.harmonia.execution." + streamName.substring("workflow_".length());
        }
        if (streamName.startsWith("task_")) {
            return "io.harmonia.task." + streamName.substring("task_".length());
        }
        int underscore = streamName.indexOf('_');
        return underscore < 0 ? "io.harmonia." + streamName : "io.harmonia." + streamName.substring(0, underscore)
                + "." + streamName.substring(underscore + 1);
    }
}
