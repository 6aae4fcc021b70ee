package io.harmonia.domain.execution;

import io.harmonia.domain.definition.ErrorTypes;
import io.harmonia.domain.definition.TaskDefinition;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.ExecutionDecider.Decision;
import io.harmonia.domain.execution.ExecutionEvent.TaskFailed;
import io.harmonia.domain.expression.EvaluationContext;
import java.time.Instant;

/**
 * The decider's rules for for_each: a task fans out into one task per item ({@code <taskId>[<index>]}), and
 * completes with the list of their outputs. Pure, like the decider.
 */
final class ForEachRules {

    private ForEachRules() {}

    /** Whether {@code taskId} names an item of a for_each ({@code fetch[3]}). */
    static boolean isItem(String taskId) {
        return taskId.endsWith("]") && taskId.indexOf('[') > 0;
    }

    /** Fans a decided for_each task out: resolves its list and schedules its items. */
    static void expand(TaskDefinition def, int run, EvaluationContext ctx, Decision d, WorkflowDefinition wf,
            Instant now) {
        d.add(new TaskFailed(def.id(), run, 0, ErrorTypes.VALIDATION_ERROR, "for_each is not supported yet", now));
    }

    /** Looks at one event of an item (in order, each once): the last item to end ends its task. */
    static void after(ExecutionEvent.TaskEvent e, Decision d, WorkflowDefinition wf, Instant now) {
    }

    /** Starts items waiting for a slot, at most {@code free} and within each task's {@code max_parallel}. */
    static void startItems(Decision d, WorkflowDefinition wf, Instant now, long free) {
    }
}
