package io.harmonia.projection;

import static io.harmonia.api.ApiAccess.createWorkflow;
import static io.harmonia.api.ApiAccess.start;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.projection.executions.ExecutionProjector;
import io.harmonia.projection.executions.ExecutionReadModel;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ReadModelRebuildTest {

    @Inject
    ExecutionProjector projector;

    @Inject
    ExecutionReadModel readModel;

    @Test
    void rebuildingFromTheEventsGivesTheLiveReadModel() throws Exception {
        String wf = createWorkflow("""
                {'name': 'rebuild', 'output': {'x': '${tasks.b.output.v}'}, 'tasks': [
                  {'id': 'a', 'component': 'core', 'action': 'echo', 'input': {'v': '${input.n}'}},
                  {'id': 'b', 'component': 'core', 'action': 'echo', 'input': {'v': '${tasks.a.output.v + 1}'},
                   'depends_on': ['a']},
                  {'id': 'c', 'component': 'core', 'action': 'fail', 'condition': 'input.n > 100'}]}""");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(start(wf, "{'n': " + i + "}"));
        }
        Duration t = Duration.ofSeconds(20);
        for (String id : ids) {
            Awaitility.await().atMost(t).until(() -> readModel.view(id).await().atMost(t).orElseThrow()
                    .path("status").asText().equals("COMPLETED"));
            JsonNode live = readModel.view(id).await().atMost(t).orElseThrow();
            JsonNode rebuilt = projector.rebuild(id).await().atMost(t);
            // compared as JSON documents (the read model is stored as JSON text)
            assertThat(io.harmonia.eventstore.EventCodec.json().readTree(rebuilt.toString())).isEqualTo(live);
        }
    }
}
