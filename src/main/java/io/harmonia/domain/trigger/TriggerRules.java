package io.harmonia.domain.trigger;

import io.harmonia.domain.trigger.TriggerCommand.Create;
import io.harmonia.domain.trigger.TriggerCommand.Delete;
import io.harmonia.domain.trigger.TriggerCommand.Pause;
import io.harmonia.domain.trigger.TriggerCommand.Resume;
import io.harmonia.domain.trigger.TriggerCommand.Update;
import io.harmonia.domain.trigger.TriggerEvent.TriggerCreated;
import io.harmonia.domain.trigger.TriggerEvent.TriggerDeleted;
import io.harmonia.domain.trigger.TriggerEvent.TriggerPaused;
import io.harmonia.domain.trigger.TriggerEvent.TriggerResumed;
import io.harmonia.domain.trigger.TriggerEvent.TriggerUpdated;
import java.util.List;

/**
 * The trigger lifecycle, pure: {@code decide(command, state) -> events} and {@code evolve(state, event) -> state}.
 * Pausing a paused trigger and resuming an active one change nothing (no event); anything but Create on a trigger
 * that does not exist (or was deleted) fails with {@link TriggerNotFound}.
 */
public final class TriggerRules {
    private TriggerRules() {}

    public static List<TriggerEvent> decide(TriggerCommand command, TriggerState state) {
        if (command instanceof Create c) {
            if (state.triggerId() != null) {
                throw new IllegalStateException("Expected a new trigger stream for '" + c.triggerId()
                        + "', but it has " + state.version() + " events");
            }
            return List.of(new TriggerCreated(c.triggerId(), c.spec(), c.at()));
        }
        if (!state.exists()) {
            throw new TriggerNotFound(state.triggerId() == null ? "?" : state.triggerId());
        }
        String id = state.triggerId();
        if (command instanceof Update u) {
            return List.of(new TriggerUpdated(id, u.spec(), u.at()));
        }
        if (command instanceof Pause p) {
            return state.paused() ? List.of() : List.of(new TriggerPaused(id, p.at()));
        }
        if (command instanceof Resume r) {
            return state.paused() ? List.of(new TriggerResumed(id, r.at())) : List.of();
        }
        return List.of(new TriggerDeleted(id, ((Delete) command).at()));
    }

    public static TriggerState evolve(TriggerState state, TriggerEvent event) {
        if (event instanceof TriggerCreated c) {
            return state.withCreated(c.triggerId(), c.spec(), c.at());
        }
        if (event instanceof TriggerUpdated u) {
            return state.withSpec(u.spec(), u.at());
        }
        if (event instanceof TriggerPaused p) {
            return state.withPaused(true, p.at());
        }
        if (event instanceof TriggerResumed r) {
            return state.withPaused(false, r.at());
        }
        return state.withDeleted(((TriggerDeleted) event).at());
    }

    /** The state after {@code events}, from the initial state. */
    public static TriggerState replay(List<TriggerEvent> events) {
        TriggerState state = TriggerState.initial();
        for (TriggerEvent e : events) {
            state = evolve(state, e);
        }
        return state;
    }
}
