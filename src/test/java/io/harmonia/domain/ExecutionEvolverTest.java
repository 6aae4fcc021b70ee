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
                args[i] = sample(rc[i].getType(), rc[i].getName());
            }
            events.add((ExecutionEvent) c.getDeclaredConstructor(params).newInstance(args));
        }
        return events;
    }

    private static Object sample(Class<?> type, String name) {
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
        throw new IllegalArgumentException("no sample for " + type);
    }

    @Test
    void everyEventTypeIsHandledAndAdvancesTheVersion() throws Exception {
        List<ExecutionEvent> events = oneOfEach();
        assertThat(events).hasSize(14);
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
            assertThat(stored[1]).isEqualTo("1");
            assertThat(EventCodec.decode(stored[0], Integer.parseInt(stored[1]), stored[2])).isEqualTo(e);
            assertThat(EventCodec.encode(e).payload().toString()).isEqualTo(stored[2]);
        }
    }
}
