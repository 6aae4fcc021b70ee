package io.harmonia.domain.schedule;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** What one fire of a schedule did. */
public enum FireOutcome {
    /** An execution started. */
    STARTED,
    /** The previous execution was still running and the policy is {@code skip} (or one fire is buffered already). */
    SKIPPED,
    /** The previous execution was still running; the fire starts when it ends ({@code buffer_one}). */
    BUFFERED,
    /** The previous execution was canceled and an execution started ({@code cancel_previous}). */
    CANCELED_PREVIOUS,
    /** The execution could not start (e.g. the workflow was deleted or the input no longer fits its schema). */
    FAILED;

    @JsonValue
    public String json() {
        return name().toLowerCase();
    }

    @JsonCreator
    static FireOutcome fromJson(String name) {
        return valueOf(name.toUpperCase());
    }

    /** Whether this outcome starts an execution. */
    public boolean starts() {
        return this == STARTED || this == CANCELED_PREVIOUS;
    }
}
