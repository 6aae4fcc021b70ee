package io.harmonia.domain.definition;

import java.util.List;

/**
 * What a step of a state machine does when it ends.
 *
 * @param transitions tried in order when it completes; none: the execution ends there
 * @param onError tried in order when it fails for good, before the workflow's {@code error_handlers}
 * @param maxIterations how many runs of this step one execution may have, or null for the workflow's default
 */
public record StepRouting(List<Transition> transitions, List<ErrorRoute> onError, Integer maxIterations) {

    /** A DAG task's: no transitions, no error routes. */
    public static final StepRouting NONE = new StepRouting(List.of(), List.of(), null);

    public StepRouting {
        transitions = List.copyOf(transitions);
        onError = List.copyOf(onError);
    }
}
