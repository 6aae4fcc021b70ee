package io.harmonia.domain.trigger;

/** No trigger with that id exists (or it was deleted). */
public final class TriggerNotFound extends RuntimeException {
    public TriggerNotFound(String triggerId) {
        super("Expected a trigger with id '" + triggerId + "', but none exists");
    }
}
