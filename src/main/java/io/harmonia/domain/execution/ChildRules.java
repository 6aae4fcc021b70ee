package io.harmonia.domain.execution;

import io.harmonia.domain.definition.ErrorTypes;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.ExecutionCommand.ChildFinished;
import io.harmonia.domain.execution.ExecutionDecider.Decision;

/**
 * The decider's rules for sub-workflows ({@code workflow.run}): the task that started a child execution ends as the
 * child did. Pure, like the decider.
 */
final class ChildRules {

    private ChildRules() {}

    /** The child of {@code c.taskId()} ended: its task completes with the child's output, or fails (or retries). */
    static void finished(ChildFinished c, Decision d, WorkflowDefinition wf) {
        TaskState t = d.state.task(c.taskId());
        if (t.status() != TaskStatus.RUNNING || t.run() != c.run()) {
            return; // a late or repeated report: the run it was for is over
        }
        if (c.status() == ExecutionStatus.COMPLETED) {
            d.decider.complete(new ExecutionCommand.CompleteTask(c.taskId(), c.run(), t.attempt(), c.output(),
                    c.now()), d, wf);
            return;
        }
        String type = c.errorType() == null ? ErrorTypes.COMPONENT_ERROR : c.errorType();
        d.decider.failOrRetry(d, wf, t, type, "sub-workflow execution '" + c.childExecutionId() + "' ended "
                + c.status() + ": " + c.message(), false, c.random(), c.now());
    }
}
