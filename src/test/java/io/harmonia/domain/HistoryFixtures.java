package io.harmonia.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.domain.definition.DefinitionValidator;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.ExecutionEvent;
import io.harmonia.eventstore.EventCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The corpus of recorded histories, {@code src/test/resources/histories/*.json}: one execution each, its workflow
 * definition and its events exactly as they were stored (type, schema version, payload). {@code HistoryApiTest}
 * records them from real runs of the service when {@code -Dharmonia.histories.record=true} is given.
 */
public final class HistoryFixtures {
    /** Where the recorder writes (relative to the project directory, where Maven runs the tests). */
    public static final Path SOURCE_DIR = Path.of("src", "test", "resources", "histories");
    static final ObjectMapper JSON = new ObjectMapper();

    /** One stored event. */
    public record Stored(int sequence, String type, int schemaVersion, JsonNode payload) {}

    /** One recorded execution. */
    public record Fixture(String name, String description, String workflowId, int workflowVersion,
            JsonNode definition, List<Stored> events) {

        public WorkflowDefinition workflow() {
            DefinitionValidator.Result r = TestDefinitions.VALIDATOR.validate(definition);
            if (!r.valid()) {
                throw new IllegalStateException("fixture " + name + ": invalid definition " + r.problems());
            }
            return r.definition().withIdAndVersion(workflowId, workflowVersion);
        }

        /** The events, decoded (and upcast) by the codec. */
        public List<ExecutionEvent> decoded() {
            List<ExecutionEvent> out = new ArrayList<>(events.size());
            for (Stored s : events) {
                out.add((ExecutionEvent) EventCodec.decode(s.type(), s.schemaVersion(), s.payload().toString()));
            }
            return out;
        }

        public ObjectNode toJson() {
            ObjectNode o = JSON.createObjectNode();
            o.put("name", name);
            o.put("description", description);
            o.put("workflow_id", workflowId);
            o.put("workflow_version", workflowVersion);
            o.set("definition", definition);
            ArrayNode arr = o.putArray("events");
            for (Stored s : events) {
                arr.addObject().put("sequence", s.sequence()).put("type", s.type())
                        .put("schema_version", s.schemaVersion()).set("payload", s.payload());
            }
            return o;
        }

        public static Fixture of(JsonNode o) {
            List<Stored> events = new ArrayList<>();
            for (JsonNode e : o.get("events")) {
                events.add(new Stored(e.get("sequence").asInt(), e.get("type").asText(),
                        e.get("schema_version").asInt(), e.get("payload")));
            }
            return new Fixture(o.get("name").asText(), o.path("description").asText(), o.get("workflow_id").asText(),
                    o.get("workflow_version").asInt(), o.get("definition"), events);
        }
    }

    private HistoryFixtures() {}

    /** Every fixture on the test classpath, by file name. */
    public static List<Fixture> all() {
        try {
            Path dir = Path.of(HistoryFixtures.class.getClassLoader().getResource("histories").toURI());
            try (Stream<Path> files = Files.list(dir)) {
                return files.filter(p -> p.toString().endsWith(".json")).sorted().map(HistoryFixtures::read)
                        .toList();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Fixture named(String name) {
        return all().stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no fixture named " + name));
    }

    static Fixture read(Path p) {
        try {
            return Fixture.of(JSON.readTree(p.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("fixture " + p, e);
        }
    }

    /** The fixture's JSON: its header pretty-printed, then one event a line (diffs stay readable). */
    static String text(Fixture f) throws IOException {
        ObjectNode head = f.toJson();
        head.remove("events");
        String pretty = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(head);
        StringBuilder b = new StringBuilder(pretty.substring(0, pretty.lastIndexOf('}')).stripTrailing());
        b.append(",\n  \"events\": [\n");
        ArrayNode events = (ArrayNode) f.toJson().get("events");
        for (int i = 0; i < events.size(); i++) {
            b.append("    ").append(JSON.writeValueAsString(events.get(i))).append(i + 1 < events.size() ? ",\n" : "\n");
        }
        return b.append("  ]\n}\n").toString();
    }

    /** Writes a fixture into the source tree (recording mode). */
    public static void write(Fixture f) {
        try {
            Files.createDirectories(SOURCE_DIR);
            Files.writeString(SOURCE_DIR.resolve(f.name() + ".json"), text(f));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
