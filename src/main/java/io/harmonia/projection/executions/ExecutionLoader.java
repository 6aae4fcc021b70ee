package io.harmonia.projection.executions;

import io.harmonia.domain.execution.ExecutionEvent;
import io.harmonia.domain.execution.ExecutionEvent.CheckpointCreated;
import io.harmonia.domain.execution.ExecutionEvolver;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.eventstore.PgEventStore;
import io.harmonia.eventstore.StreamIds;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Loads an execution's state from its events: from its latest checkpoint (at or before the sequence asked for), then
 * only the events after it. An execution without a checkpoint is folded from its first event.
 */
@ApplicationScoped
public class ExecutionLoader {

    /** Every event: the latest state. */
    public static final int LATEST = Integer.MAX_VALUE;

    private final PgEventStore store;

    public ExecutionLoader(PgEventStore store) {
        this.store = store;
    }

    /**
     * The state right after event {@code atSequence} ({@link #LATEST} for the latest), folded from the nearest
     * checkpoint before it; an empty state ({@code !exists()}) when the stream is empty.
     */
    public Uni<ExecutionState> load(String executionId, int atSequence) {
        String stream = StreamIds.execution(executionId);
        return store.latestCheckpoint(stream, atSequence).chain(cp -> {
            ExecutionState from = cp.map(r -> ExecutionEvolver.evolve(
                    ((CheckpointCreated) r.event()).snapshot().toState(), (ExecutionEvent) r.event()))
                    .orElse(ExecutionState.initial());
            return foldFrom(executionId, from, atSequence);
        });
    }

    /** {@code from} with the events after it, up to {@code atSequence} ({@link #LATEST}: all), folded in. */
    public Uni<ExecutionState> foldFrom(String executionId, ExecutionState from, int atSequence) {
        if (from.version() >= atSequence) {
            return Uni.createFrom().item(from);
        }
        return store.streamRange(StreamIds.execution(executionId), (int) from.version() + 1, atSequence)
                .map(r -> (ExecutionEvent) r.event())
                .collect().in(() -> new ExecutionState[] {from}, (acc, e) -> acc[0] = ExecutionEvolver.evolve(acc[0], e))
                .map(acc -> acc[0]);
    }
}
