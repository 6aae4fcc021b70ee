package io.harmonia.domain.execution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.ExecutionDecider.Decision;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionCompleted;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionFailed;
import io.harmonia.domain.execution.ExecutionEvent.TaskFailed;
import io.harmonia.domain.expression.ExpressionException;
import java.time.Instant;

/**
 * The decider's rules for a state machine of steps: transitions, loops, error routes. Pure, like the decider.
 */
final class StepRules {

    private StepRules() {}

    /** Looks at one event of the decision (in order, each once): a step that ended chooses the next. */
    static void after(ExecutionEvent e, Decision d, WorkflowDefinition wf, Instant now) {
    }

    /** Ends the execution when no step is active and none comes next. */
    static void finishIfDone(Decision d, WorkflowDefinition wf, Instant now) {
        ExecutionState s = d.state;
        if (s.status().terminal() || s.running() > 0 || s.table().retryingCount() > 0
                || !s.table().ready(1).isEmpty() || s.table().fannedOut() > 0) {
            return;
        }
        for (ExecutionEvent e : d.events) {
            if (e instanceof TaskFailed f) {
                d.add(new ExecutionFailed(f.errorType(), "step '" + f.taskId() + "' failed: " + f.message(),
                        f.taskId(), now));
                return;
            }
        }
        JsonNode output = NullNode.getInstance();
        if (wf.output() != null && !wf.output().isNull()) {
            try {
                output = d.expressions.resolve(wf.output(), ExecutionDecider.context(s, d.index, now, "output"));
            } catch (ExpressionException ex) {
                d.add(new ExecutionFailed("EXPRESSION_ERROR", "output mapping of execution '" + s.executionId()
                        + "' failed: " + ex.getMessage(), null, now));
                return;
            }
        }
        d.add(new ExecutionCompleted(output, now));
    }
}
