package io.harmonia.domain.execution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.domain.execution.ExecutionEvent.SignalConsumed;
import io.harmonia.domain.execution.ExecutionEvent.SignalReceived;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The signals an execution received, folded from {@link SignalReceived} and {@link SignalConsumed}. Immutable.
 *
 * @param latest per signal name, the payload of the latest signal of that name (what expressions read as
 *     {@code signals.<name>})
 * @param pending per signal name, the signals received and not yet consumed by a {@code core.wait_for_signal},
 *     oldest first: a signal that arrives before its wait starts is kept here until the wait takes it
 * @param ids the id of every signal received: a signal delivered again with the same id is recorded once
 * @param tallies per signal name, how many were received and when the latest was (what the execution's view shows)
 */
public record Signals(Map<String, JsonNode> latest, Map<String, List<Pending>> pending, Set<String> ids,
        Map<String, Tally> tallies) {

    /** A signal received and not consumed yet. */
    public record Pending(String signalId, JsonNode payload) {}

    /** Of one signal name: how many were received (each id once), and when the latest was. */
    public record Tally(int count, Instant lastReceivedAt) {}

    public static final Signals NONE = new Signals(Map.of(), Map.of(), Set.of(), Map.of());

    public Signals {
        latest = latest == null ? Map.of() : latest;
        pending = pending == null ? Map.of() : pending;
        ids = ids == null ? Set.of() : ids;
        tallies = tallies == null ? Map.of() : tallies;
    }

    /** How many signals of {@code name} wait for a {@code core.wait_for_signal}. */
    public int pendingCount(String name) {
        List<Pending> queue = pending.get(name);
        return queue == null ? 0 : queue.size();
    }

    /** How many signals were received (each id once). */
    public int received() {
        return ids.size();
    }

    /** Whether a signal with this id was received already. */
    public boolean seen(String signalId) {
        return signalId != null && ids.contains(signalId);
    }

    /** The oldest signal of {@code name} not consumed yet, or null. */
    public Pending next(String name) {
        List<Pending> queue = pending.get(name);
        return queue == null || queue.isEmpty() ? null : queue.get(0);
    }

    /** What expressions see as {@code signals}: per name, the latest payload. */
    public ObjectNode view() {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        latest.forEach((name, payload) -> out.set(name, payload == null ? NullNode.getInstance() : payload));
        return out;
    }

    Signals with(SignalReceived e) {
        Map<String, JsonNode> l = new HashMap<>(latest);
        l.put(e.name(), e.payload() == null ? NullNode.getInstance() : e.payload());
        Map<String, List<Pending>> p = new HashMap<>(pending);
        List<Pending> queue = new ArrayList<>(p.getOrDefault(e.name(), List.of()));
        queue.add(new Pending(e.signalId(), e.payload()));
        p.put(e.name(), List.copyOf(queue));
        Set<String> i = new HashSet<>(ids);
        if (e.signalId() != null) {
            i.add(e.signalId());
        }
        Map<String, Tally> t = new HashMap<>(tallies);
        Tally before = t.get(e.name());
        t.put(e.name(), new Tally(before == null ? 1 : before.count() + 1, e.at()));
        return new Signals(Map.copyOf(l), Map.copyOf(p), Set.copyOf(i), Map.copyOf(t));
    }

    Signals consumed(SignalConsumed e) {
        List<Pending> queue = pending.get(e.name());
        if (queue == null || queue.isEmpty()) {
            return this;
        }
        List<Pending> rest = new ArrayList<>(queue);
        rest.removeIf(s -> java.util.Objects.equals(s.signalId(), e.signalId()));
        Map<String, List<Pending>> p = new HashMap<>(pending);
        if (rest.isEmpty()) {
            p.remove(e.name());
        } else {
            p.put(e.name(), List.copyOf(rest));
        }
        return new Signals(latest, Map.copyOf(p), ids, tallies);
    }
}
