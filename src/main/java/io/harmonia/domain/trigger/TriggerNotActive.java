package io.harmonia.domain.trigger;

/** A fire that the trigger's state or kind does not allow (paused; a Kafka trigger fired by a call): 409. */
public final class TriggerNotActive extends RuntimeException {
    public TriggerNotActive(String triggerId) {
        super("Expected trigger '" + triggerId + "' to be active to fire it, but it is paused; resume it first");
    }

    public TriggerNotActive(String triggerId, String reason) {
        super("Expected trigger '" + triggerId + "' to be fired by a call, but " + reason);
    }
}
