package io.harmonia.domain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.harmonia.domain.execution.ExecutionEvent;
import io.harmonia.domain.execution.ExecutionEvolver;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.eventstore.EventCodec;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExecutionEvolverTest {

    /** Every permitted event record, built with sample values. */
    static List<ExecutionEvent> oneOfEach() throws Exception {
        List<Class<?>> types = new ArrayList<>();
        for (Class<?> c : ExecutionEvent.class.getPermittedSubclasses()) {
            if (c.isRecord()) {
                types.add(c);
            } else {
                types.addAll(List.of(c.getPermittedSubclasses()));
            }
        }
        List<ExecutionEvent> events = new ArrayList<>();
        for (Class<?> c : types) {
            RecordComponent[] rc = c.getRecordComponents();
            Object[] args = new Object[rc.length];
            Class<?>[] params = new Class<?>[rc.length];
            for (int i = 0; i < rc.length; i++) {
                params[i] = rc[i].getType();
                args[i] = sample(rc[i].getType(), rc[i].getName(), rc[i].getGenericType());
            }
            events.add((ExecutionEvent) c.getDeclaredConstructor(params).newInstance(args));
        }
        return events;
    }

    private static Object sample(Class<?> type, String name, java.lang.reflect.Type generic) {
        if (type == String.class) {
            return name.equals("executionId") || name.equals("workflowId")
                    ? "00000000-0000-0000-0000-000000000001" : "t1";
        }
        if (type == int.class) {
            return 1;
        }
        if (type == Instant.class) {
            return Instant.parse("2026-01-01T00:00:00Z");
        }
        if (type == com.fasterxml.jackson.databind.JsonNode.class) {
            return JsonNodeFactory.instance.objectNode().put("k", 1);
        }
        if (type == long.class) {
            return 3L;
        }
        if (type == boolean.class) {
            return true;
        }
        if (type == ExecutionEvent.RestoredFrom.class) {
            return new ExecutionEvent.RestoredFrom("00000000-0000-0000-0000-000000000002", "c1", 5);
        }
        if (type == io.harmonia.domain.execution.ParentLink.class) {
            return new io.harmonia.domain.execution.ParentLink("00000000-0000-0000-0000-000000000003", "t1", 1, 1);
        }
        if (type == io.harmonia.domain.execution.StateData.class) {
            return new io.harmonia.domain.execution.StateData(JsonNodeFactory.instance.objectNode().put("a", 1),
                    java.util.Map.of("t1", JsonNodeFactory.instance.objectNode().put("a", 1)), 2);
        }
        if (type == List.class && generic.getTypeName().contains("TaskState")) {
            return List.of(sampleTask());
        }
        if (type == List.class) {
            return List.of("t1");
        }
        if (type == io.harmonia.domain.execution.Signals.class) {
            return io.harmonia.domain.execution.Signals.NONE;
        }
        if (type == io.harmonia.domain.execution.ExecutionSnapshot.class) {
            return io.harmonia.domain.execution.ExecutionSnapshot.of(sampleState());
        }
        throw new IllegalArgumentException("no sample for " + type);
    }

    static io.harmonia.domain.execution.TaskState sampleTask() {
        return new io.harmonia.domain.execution.TaskState("t1", io.harmonia.domain.execution.TaskStatus.COMPLETED, 1,
                1, JsonNodeFactory.instance.objectNode().put("in", 1), JsonNodeFactory.instance.objectNode()
                        .put("out", 2), null, null, Instant.parse("2026-01-01T00:00:00Z"),
                Instant.parse("2026-01-01T00:00:01Z"), Instant.parse("2026-01-01T00:00:01Z"),
                Instant.parse("2026-01-01T00:00:02Z"), null, null);
    }

    /** A state with a task and some global state, as a fold of events. */
    static ExecutionState sampleState() {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        String id = "00000000-0000-0000-0000-000000000001";
        return ExecutionEvolver.fold(ExecutionState.initial(), List.of(
                new ExecutionEvent.ExecutionStarted(id, id, 1, JsonNodeFactory.instance.objectNode(), 4, null, t),
                new ExecutionEvent.TaskScheduled("t1", 1, JsonNodeFactory.instance.objectNode(), t),
                new ExecutionEvent.TaskStarted("t1", 1, 1, null, t),
                new ExecutionEvent.TaskCompleted("t1", 1, 1, JsonNodeFactory.instance.objectNode().put("o", 1), t),
                new ExecutionEvent.StateUpdated("t1", 1, JsonNodeFactory.instance.objectNode().put("k", "v"), false, t),
                new ExecutionEvent.TaskScheduled("t2", 1, JsonNodeFactory.instance.objectNode(), t)));
    }

    @Test
    void everyEventTypeIsHandledAndAdvancesTheVersion() throws Exception {
        List<ExecutionEvent> events = oneOfEach();
        assertThat(events).hasSize(23);
        ExecutionState start = ExecutionEvolver.evolve(ExecutionState.initial(), events.stream()
                .filter(e -> e instanceof ExecutionEvent.ExecutionStarted).findFirst().orElseThrow());
        for (ExecutionEvent e : events) {
            ExecutionState next = ExecutionEvolver.evolve(start, e); // throws for an unhandled type
            assertThat(next.version()).as(e.getClass().getSimpleName()).isEqualTo(start.version() + 1);
        }
    }

    @Test
    void everyEventTypeSurvivesTheCodec() throws Exception {
        for (ExecutionEvent e : oneOfEach()) {
            String[] stored = EventCodec.encodeToText(e); // type, schema version, JSON text: what the store writes
            assertThat(stored[1]).isEqualTo(String.valueOf(EventCodec.currentVersion(e.getClass())));
            assertThat(EventCodec.decode(stored[0], Integer.parseInt(stored[1]), stored[2])).as(stored[2]).isEqualTo(e);
            assertThat(EventCodec.encode(e).payload().toString()).isEqualTo(stored[2]);
        }
    }
}
