package io.harmonia.projection.executions;

import io.harmonia.domain.execution.ExecutionEvent;
import io.harmonia.domain.execution.ExecutionEvent.CheckpointCreated;
import io.harmonia.domain.execution.ExecutionEvolver;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.eventstore.PgEventStore;
import io.harmonia.eventstore.RecordedEvent;
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
    /** Events read by the first query (the checkpoint and what follows); the rest page by page. */
    private static final int PAGE = 500;

    private final PgEventStore store;

    public ExecutionLoader(PgEventStore store) {
        this.store = store;
    }

    /**
     * The state right after event {@code atSequence} ({@link #LATEST} for the latest), folded from the nearest
     * checkpoint before it; an empty state ({@code !exists()}) when the stream is empty.
     */
    public Uni<ExecutionState> load(String executionId, int atSequence) {
        return store.readFromLatestCheckpoint(StreamIds.execution(executionId), atSequence, PAGE).chain(page -> {
            ExecutionState state = ExecutionState.initial();
            for (RecordedEvent r : page) {
                ExecutionEvent e = (ExecutionEvent) r.event();
                state = state.exists() || !(e instanceof CheckpointCreated cp)
                        ? ExecutionEvolver.evolve(state, e)
                        : ExecutionEvolver.evolve(cp.snapshot().toState(), cp);
            }
            return page.size() < PAGE ? Uni.createFrom().item(state) : foldFrom(executionId, state, atSequence);
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
