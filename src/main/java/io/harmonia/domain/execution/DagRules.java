package io.harmonia.domain.execution;

import io.harmonia.domain.definition.ErrorTypes;
import io.harmonia.domain.definition.TaskDefinition;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.ExecutionDecider.Decision;
import java.time.Instant;

/**
 * The decider's rules for a DAG: when a task's dependencies let it be decided ({@code run_if}), and the workflow's
 * error handlers. Pure, like the decider that calls it.
 */
final class DagRules {

    private DagRules() {}

    /** Whether a PENDING task may be decided now: every dependency is final. */
    static boolean ready(TaskDefinition def, ExecutionState s) {
        for (String dep : def.dependsOn()) {
            if (!s.task(dep).status().terminal()) {
                return false;
            }
        }
        return true;
    }

    /** Why a task that may be decided is SKIPPED because of how its dependencies ended, or null when it runs. */
    static String skipReason(TaskDefinition def, ExecutionState s) {
        for (String dep : def.dependsOn()) {
            TaskState upstream = s.task(dep);
            if (upstream.status() == TaskStatus.FAILED || (upstream.status() == TaskStatus.SKIPPED
                    && ErrorTypes.UPSTREAM_FAILED.equals(upstream.errorType()))) {
                return ErrorTypes.UPSTREAM_FAILED;
            }
        }
        return null;
    }

    /** Looks at one event of the decision (in order, each once): a task that failed for good may start a handler. */
    static void after(ExecutionEvent e, Decision d, WorkflowDefinition wf, Instant now) {
    }

    /** Just before the execution may end: what must be final for it to end (e.g. handlers that never ran). */
    static void beforeFinish(Decision d, WorkflowDefinition wf, Instant now) {
    }
}
