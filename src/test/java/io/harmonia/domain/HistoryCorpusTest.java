package io.harmonia.domain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.application.HistoryService;
import io.harmonia.domain.HistoryFixtures.Fixture;
import io.harmonia.domain.HistoryFixtures.Stored;
import io.harmonia.domain.execution.ExecutionDecider;
import io.harmonia.domain.execution.ExecutionEvent;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionStarted;
import io.harmonia.domain.execution.ExecutionEvolver;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.domain.execution.HistoryVerifier;
import io.harmonia.domain.execution.HistoryVerifier.Report;
import io.harmonia.domain.execution.Limits;
import io.harmonia.eventstore.EventCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The corpus of recorded histories (src/test/resources/histories, recorded from real runs by HistoryApiTest, and the
 * version-1 ones written by the code before issue 11): every one decodes, folds and verifies "same" with today's
 * code; altered ones diverge exactly where the alteration makes today's engine decide otherwise.
 */
class HistoryCorpusTest {
    /** The limits the service ran with when the corpus was recorded (the defaults of harmonia.engine/history). */
    static final HistoryVerifier VERIFIER = new HistoryVerifier(new ExecutionDecider(TestDefinitions.CEL,
            Limits.defaults()), HistoryService::storedForm);

    static Report verify(Fixture f) {
        return VERIFIER.verify(f.decoded(), f.workflow());
    }

    @Nested
    @DisplayName("every recorded history")
    class EveryHistory {
        @Test
        void decodesFoldsAndIsDecidedTheSameByTodaysEngine() {
            List<Fixture> all = HistoryFixtures.all();
            assertThat(all).hasSizeGreaterThanOrEqualTo(12);
            for (Fixture f : all) {
                List<ExecutionEvent> events = f.decoded();
                ExecutionState state = ExecutionEvolver.fold(ExecutionState.initial(), events);
                assertThat(state.exists()).as(f.name()).isTrue();
                assertThat(state.version()).as(f.name()).isEqualTo(f.events().size());
                Report report = VERIFIER.verify(events, f.workflow());
                assertThat(report.divergence()).as(f.name() + ": " + report.divergence()).isNull();
                assertThat(report.events()).isEqualTo(f.events().size());
                assertThat(report.decisions()).as(f.name()).isPositive();
            }
        }

        @Test
        void readsBackAsItWasStoredOrUpcastFromAnOlderVersion() {
            for (Fixture f : HistoryFixtures.all()) {
                for (Stored s : f.events()) {
                    ExecutionEvent e = (ExecutionEvent) EventCodec.decode(s.type(), s.schemaVersion(),
                            s.payload().toString());
                    if (s.schemaVersion() == EventCodec.currentVersion(e.getClass())) {
                        assertThat((Object) HistoryService.storedForm(e)).as(f.name() + " #" + s.sequence())
                                .isEqualTo(s.payload());
                    } else {
                        assertThat(s.schemaVersion()).isLessThan(EventCodec.currentVersion(e.getClass()));
                    }
                }
            }
        }

        @Test
        void coverEveryExecutionEventType() {
            Set<String> types = new TreeSet<>();
            for (Class<?> c : ExecutionEvent.class.getPermittedSubclasses()) {
                if (c.isRecord()) {
                    types.add(c.getSimpleName());
                } else {
                    for (Class<?> t : c.getPermittedSubclasses()) {
                        types.add(t.getSimpleName());
                    }
                }
            }
            Set<String> recorded = new TreeSet<>();
            HistoryFixtures.all().forEach(f -> f.events().forEach(e -> recorded.add(e.type())));
            assertThat(recorded).containsAll(types);
        }
    }

    @Nested
    @DisplayName("a version-1 ExecutionStarted (written by the code before issue 11)")
    class Version1 {
        @Test
        void loadsUnchangedAndFoldsToTheSameStateAsItsVersion2() {
            List<Fixture> v1 = HistoryFixtures.all().stream().filter(f -> f.name().startsWith("v1-")).toList();
            assertThat(v1).isNotEmpty();
            for (Fixture old : v1) {
                Stored first = old.events().get(0);
                assertThat(first.schemaVersion()).isEqualTo(1);
                assertThat(first.payload().has("replay_of")).isFalse();
                ExecutionStarted started = (ExecutionStarted) old.decoded().get(0);
                assertThat(started.replayOf()).isNull();
                assertThat(started.restoredFrom()).isNull();
                assertThat(started.executionId()).isEqualTo(first.payload().get("execution_id").asText());
                assertThat(started.input()).isEqualTo(first.payload().get("input"));
                // the same history as today's code writes it (version 2) folds to the same state
                ObjectNode v2 = first.payload().deepCopy();
                v2.putNull("replay_of").putNull("restored_from");
                List<Stored> asToday = new ArrayList<>(old.events());
                asToday.set(0, new Stored(1, "ExecutionStarted", 2, v2));
                ExecutionState folded = ExecutionEvolver.fold(ExecutionState.initial(), old.decoded());
                assertThat(folded).isEqualTo(ExecutionEvolver.fold(ExecutionState.initial(),
                        with(old, asToday, old.definition()).decoded()));
                assertThat(verify(old).divergence()).isNull();
                // and, when today's recording of the same run is in the corpus, to the state it folds to
                HistoryFixtures.all().stream().filter(f -> f.name().equals(old.name().substring(3))
                        && f.events().get(0).payload().equals(v2)).forEach(today -> assertThat(folded)
                                .isEqualTo(ExecutionEvolver.fold(ExecutionState.initial(), today.decoded())));
            }
        }
    }

    @Nested
    @DisplayName("an altered history")
    class Altered {
        @Test
        void anEditedOutputDivergesAtTheFirstInputResolvedFromIt() {
            Fixture f = HistoryFixtures.named("plain-dag");
            int completedA = sequence(f, "TaskCompleted", "a");
            Fixture edited = edit(f, completedA, p -> p.set("output", p.objectNode().put("v", 41)));
            Report report = verify(edited);
            assertThat(report.divergence().sequence()).isEqualTo(sequence(f, "TaskScheduled", "b"));
            assertThat(report.divergence().reason()).contains("'input'").contains("42");
        }

        @Test
        void aDroppedEventDivergesWhereTodaysEngineDecidesIt() {
            Fixture f = HistoryFixtures.named("plain-dag");
            int skippedX = sequence(f, "TaskSkipped", "x");
            List<Stored> events = new ArrayList<>(f.events());
            events.remove(skippedX - 1);
            Report report = verify(with(f, events, f.definition()));
            assertThat(report.divergence().sequence()).isEqualTo(skippedX);
            assertThat(report.divergence().decided()).isInstanceOf(ExecutionEvent.TaskSkipped.class);
        }

        @Test
        void aChangedRetryPolicyDivergesAtTheRetryItChanges() {
            Fixture f = HistoryFixtures.named("retries-failed-fan-out");
            int firstRetry = sequence(f, "TaskRetryScheduled", "f");
            Report slower = verify(with(f, f.events(), retry(f, r -> r.put("initial_delay_ms", 5000))));
            assertThat(slower.divergence().sequence()).isEqualTo(firstRetry);
            assertThat(slower.divergence().reason()).contains("due_at").contains("2500 to 4999 ms");

            Report fewer = verify(with(f, f.events(), retry(f, r -> r.put("max_attempts", 2))));
            int secondRetry = nth(f, "TaskRetryScheduled", 2);
            assertThat(fewer.divergence().sequence()).isEqualTo(secondRetry);
            assertThat(fewer.divergence().decided()).isInstanceOf(ExecutionEvent.TaskFailed.class);
        }

        @Test
        void aChangedTimeoutDivergesAtTheFirstAttemptItApplies() {
            Fixture f = HistoryFixtures.named("task-timeout");
            ObjectNode def = f.definition().deepCopy();
            ((ObjectNode) def.get("tasks").get(0)).put("timeout_ms", 200);
            Report report = verify(with(f, f.events(), def));
            assertThat(report.divergence().sequence()).isEqualTo(sequence(f, "TaskStarted", "s"));
            assertThat(report.divergence().reason()).contains("'deadline'");
        }
    }

    // ---- helpers ----

    static int sequence(Fixture f, String type, String taskId) {
        return f.events().stream().filter(e -> e.type().equals(type)
                && taskId.equals(e.payload().path("task_id").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " of " + taskId + " in " + f.name())).sequence();
    }

    static int nth(Fixture f, String type, int n) {
        return f.events().stream().filter(e -> e.type().equals(type)).skip(n - 1L).findFirst().orElseThrow()
                .sequence();
    }

    static Fixture edit(Fixture f, int sequence, UnaryOperator<ObjectNode> change) {
        List<Stored> events = new ArrayList<>(f.events());
        Stored s = events.get(sequence - 1);
        events.set(sequence - 1, new Stored(s.sequence(), s.type(), s.schemaVersion(),
                change.apply(s.payload().deepCopy())));
        return with(f, events, f.definition());
    }

    static JsonNode retry(Fixture f, UnaryOperator<ObjectNode> change) {
        ObjectNode def = f.definition().deepCopy();
        for (JsonNode t : def.get("tasks")) {
            if (t.has("retry")) {
                change.apply((ObjectNode) t.get("retry"));
            }
        }
        return def;
    }

    static Fixture with(Fixture f, List<Stored> events, JsonNode definition) {
        return new Fixture(f.name(), f.description(), f.workflowId(), f.workflowVersion(), definition, events);
    }
}
