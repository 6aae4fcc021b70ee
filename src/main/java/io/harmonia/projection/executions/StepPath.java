package io.harmonia.projection.executions;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.domain.definition.TaskDefinition;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.ExecutionEvent.TransitionTaken;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.domain.execution.Flow;
import io.harmonia.domain.execution.TaskState;
import io.harmonia.domain.execution.TaskStatus;
import java.time.Instant;

/**
 * The route parts of an execution's view: a state machine's {@code current_step_id} and {@code path}, and, in
 * either language, {@code handled_errors} (which error route or handler ran, and why). Pure.
 */
final class StepPath {

    /** The error type the view shows for a step a finished state machine never reached (no event says so). */
    static final String NOT_REACHED = "NOT_REACHED";

    private StepPath() {}

    /** A step a finished machine never reached: SKIPPED, {@code NOT_REACHED}. */
    static void notReached(ObjectNode to, String stepId) {
        to.put("status", TaskStatus.SKIPPED.external());
        to.put("run", 0);
        to.put("attempts", 0);
        to.put("retries", 0);
        to.putNull("input");
        to.putNull("output");
        to.putObject("error").put("type", NOT_REACHED).put("message", "step '" + stepId + "' was not reached: no"
                + " route of this execution led to it");
        to.putNull("start_time");
        to.putNull("end_time");
    }

    /**
     * {@code current_step_id}: the active step, else the step that failed the execution, else the step that ended
     * last; {@code path}: the latest {@link Flow#MAX_ROUTES} routes, oldest first; {@code path_length}: all routes.
     */
    static void add(ObjectNode o, ExecutionState s, WorkflowDefinition wf) {
        o.put("current_step_id", currentStep(s, wf));
        ArrayNode path = o.putArray("path");
        for (Flow.Route r : s.flow().routes()) {
            ObjectNode p = path.addObject();
            p.put("step_id", r.from());
            p.put("run", r.fromRun());
            p.put("outcome", r.errorType() == null ? TaskStatus.COMPLETED.name() : TaskStatus.FAILED.name());
            p.put("next", r.to());
            p.put("via", r.via());
            p.put("index", r.index());
            error(p, r);
            p.put("at", r.at().toString());
        }
        o.put("path_length", s.flow().routeCount());
    }

    /** The routes taken because a task or step failed: {@code [{task_id, run, error, handler, via, index, at}]}. */
    static void handledErrors(ObjectNode o, ExecutionState s) {
        ArrayNode handled = o.putArray("handled_errors");
        for (Flow.Route r : s.flow().routes()) {
            if (TransitionTaken.VIA_TRANSITION.equals(r.via())) {
                continue;
            }
            ObjectNode h = handled.addObject();
            h.put("task_id", r.from());
            h.put("run", r.fromRun());
            error(h, r);
            h.put("handler", r.to());
            h.put("via", r.via());
            h.put("index", r.index());
            h.put("at", r.at().toString());
        }
    }

    private static void error(ObjectNode o, Flow.Route r) {
        if (r.errorType() == null) {
            o.putNull("error");
        } else {
            o.putObject("error").put("type", r.errorType()).put("message", r.message());
        }
    }

    private static String currentStep(ExecutionState s, WorkflowDefinition wf) {
        TaskState last = null;
        for (TaskDefinition def : wf.tasks()) { // the view lists every step anyway
            TaskState t = s.task(def.id());
            if (t.status() == TaskStatus.SCHEDULED || t.status() == TaskStatus.RUNNING
                    || t.status() == TaskStatus.RETRYING) {
                return def.id();
            }
            if (t.endedAt() != null && (last == null || endedLater(t, last, s.flow().currentStep()))) {
                last = t;
            }
        }
        if (s.failedTaskId() != null) {
            return s.failedTaskId();
        }
        if (last != null) {
            return last.taskId();
        }
        return wf.startAt() != null ? wf.startAt() : wf.tasks().isEmpty() ? null : wf.tasks().get(0).id();
    }

    private static boolean endedLater(TaskState t, TaskState last, String routedTo) {
        Instant a = t.endedAt();
        Instant b = last.endedAt();
        return a.isAfter(b) || (a.equals(b) && t.taskId().equals(routedTo));
    }
}
