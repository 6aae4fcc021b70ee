import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.eventstore.EventCodec;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs against the classes of commit 9e2a37f (before issue 11): reads a recorded fixture, decodes every event with
 * that commit's EventCodec and writes it again with that commit's EventCodec.encodeToText (the writer its
 * PgEventStore used), so the events are exactly what the code before issue 11 stored for them.
 */
public class ToV1 {
    public static void main(String[] args) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode fixture = (ObjectNode) json.readTree(Path.of(args[0]).toFile());
        ArrayNode out = json.createArrayNode();
        for (JsonNode e : fixture.get("events")) {
            String type = e.get("type").asText();
            Object event = EventCodec.decode(type, 1, e.get("payload").toString());
            String[] enc = EventCodec.encodeToText(event);
            out.addObject().put("sequence", e.get("sequence").asInt()).put("type", enc[0])
                    .put("schema_version", Integer.parseInt(enc[1])).set("payload", json.readTree(enc[2]));
        }
        fixture.put("name", "v1-" + fixture.get("name").asText());
        fixture.put("description", "Version-1 events: the history of '" + fixture.get("name").asText().substring(3)
                + "' as the code before issue 11 (commit 9e2a37f) stored it: decoded and written again by that"
                + " commit's EventCodec (ExecutionStarted schema_version 1, without replay_of/restored_from)");
        fixture.set("events", out);
        Files.writeString(Path.of(args[1]), json.writeValueAsString(fixture));
    }
}
