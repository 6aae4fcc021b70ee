package io.harmonia.domain.schedule;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Optional;

/** What a fire does while the execution started by the schedule's previous fire is still unfinished. */
public enum Overlap {
    /** The fire is recorded as skipped; nothing starts. */
    SKIP,
    /** The fire is remembered (one at most; later ones are skipped) and starts when the running one ends. */
    BUFFER_ONE,
    /** The fire starts another execution next to the running one. */
    ALLOW,
    /** The running execution is canceled and the fire starts a new one. */
    CANCEL_PREVIOUS;

    /** The name in the API and in events, e.g. {@code buffer_one}. */
    @JsonValue
    public String json() {
        return name().toLowerCase();
    }

    /** The policy named {@code name} in the API, if any. */
    public static Optional<Overlap> named(String name) {
        return Arrays.stream(values()).filter(o -> o.json().equals(name)).findFirst();
    }

    @com.fasterxml.jackson.annotation.JsonCreator
    static Overlap fromJson(String name) {
        return named(name).orElseThrow(() -> new IllegalArgumentException("unknown overlap policy " + name));
    }
}
