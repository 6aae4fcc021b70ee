package io.harmonia.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.RestAssured;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Checks what consumers received against the event store, execution by execution. */
final class PublishedEvents {
    private PublishedEvents() {}

    /** Sequence numbers received per execution, duplicates (same ce_id) removed, in arrival order. */
    static Map<String, List<Integer>> byExecution(List<KafkaEvents.Received> received) {
        Map<String, List<Integer>> out = new LinkedHashMap<>();
        Set<String> seen = new LinkedHashSet<>();
        for (KafkaEvents.Received r : received) {
            if (!r.header("ce_id").startsWith("execution-") || !seen.add(r.header("ce_id"))) {
                continue;
            }
            out.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(Integer.parseInt(r.header("ce_sequence")));
        }
        return out;
    }

    /** How many events the store holds for an execution. */
    static int storedCount(String executionId) {
        return RestAssured.given().get("/api/executions/" + executionId + "/events?limit=1000").then()
                .statusCode(200).extract().jsonPath().getList("items").size();
    }

    /** Every stored event of every execution arrived, in order, with nothing missing. */
    static boolean complete(List<KafkaEvents.Received> received, Map<String, Integer> expected) {
        Map<String, List<Integer>> got = byExecution(received);
        return expected.entrySet().stream()
                .allMatch(e -> got.getOrDefault(e.getKey(), List.of()).size() >= e.getValue());
    }

    static void assertInOrderWithoutGaps(List<KafkaEvents.Received> received, Map<String, Integer> expected) {
        Map<String, List<Integer>> got = byExecution(received);
        for (Map.Entry<String, Integer> e : expected.entrySet()) {
            List<Integer> want = new ArrayList<>();
            for (int i = 1; i <= e.getValue(); i++) {
                want.add(i);
            }
            assertThat(got.get(e.getKey())).as("sequences of execution %s", e.getKey()).isEqualTo(want);
        }
    }
}
