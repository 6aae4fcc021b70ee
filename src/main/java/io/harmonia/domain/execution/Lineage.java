package io.harmonia.domain.execution;

import io.harmonia.domain.execution.ExecutionEvent.RestoredFrom;
import java.util.ArrayList;
import java.util.List;

/**
 * Where an execution came from and what came from it: the execution it replays, the checkpoint it was restored
 * from, the executions replayed or restored from it (the latest {@link #MAX_LINKS}, and how many in all), and how
 * often it was re-run in place.
 */
public record Lineage(String replayOf, RestoredFrom restoredFrom, List<Link> derived, int derivedCount, int reruns) {

    /** How many derived executions the state (and the view) lists; {@link #derivedCount} counts them all. */
    public static final int MAX_LINKS = 20;

    public static final Lineage NONE = new Lineage(null, null, List.of(), 0, 0);

    /** One execution started from this one: {@code relation} is {@code replay} or {@code restore}. */
    public record Link(String relation, String executionId, String checkpointId, java.time.Instant at) {}

    public Lineage {
        derived = derived == null ? List.of() : List.copyOf(derived);
    }

    public Lineage withOrigin(String newReplayOf, RestoredFrom newRestoredFrom) {
        return new Lineage(newReplayOf, newRestoredFrom, derived, derivedCount, reruns);
    }

    public Lineage withDerived(Link link) {
        List<Link> links = new ArrayList<>(derived);
        links.add(link);
        if (links.size() > MAX_LINKS) {
            links.remove(0);
        }
        return new Lineage(replayOf, restoredFrom, links, derivedCount + 1, reruns);
    }

    public Lineage withRerun() {
        return new Lineage(replayOf, restoredFrom, derived, derivedCount, reruns + 1);
    }
}
