package io.harmonia.domain.definition;

/**
 * A step's outgoing transition. Transitions are tried in order when the step completes: the first whose
 * {@code condition} holds (with the step's {@code output} in scope), or that has none, is taken.
 *
 * @param to the id of the next step
 * @param condition a CEL condition (without the {@code ${}} wrapper), or null: always taken ({@code automatic})
 */
public record Transition(String to, String condition) {

    public boolean automatic() {
        return condition == null;
    }
}
