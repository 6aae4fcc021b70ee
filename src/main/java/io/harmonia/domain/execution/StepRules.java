package io.harmonia.domain.execution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.harmonia.domain.definition.ErrorRoute;
import io.harmonia.domain.definition.ErrorTypes;
import io.harmonia.domain.definition.TaskDefinition;
import io.harmonia.domain.definition.Transition;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.ExecutionDecider.Decision;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionCompleted;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionFailed;
import io.harmonia.domain.execution.ExecutionEvent.TaskCompleted;
import io.harmonia.domain.execution.ExecutionEvent.TaskFailed;
import io.harmonia.domain.execution.ExecutionEvent.TransitionTaken;
import io.harmonia.domain.expression.EvaluationContext;
import io.harmonia.domain.expression.ExpressionException;
import java.time.Instant;
import java.util.List;

/**
 * The decider's rules for a state machine of steps: transitions, loops, error routes. Pure, like the decider.
 *
 * <ul>
 *   <li>The start step ({@code start_at}, else the first) is decided when the execution starts. One step is
 *       active at a time; a step never reached is not part of the run (no event names it).</li>
 *   <li>A step that completed tries its transitions in order, with its {@code output} in scope: the first whose
 *       condition holds (or that has none) is taken ({@link TransitionTaken} {@code via transition}) and its
 *       target decided as its next run. None holds (or it has none): the execution COMPLETES with its output
 *       mapping. A condition that cannot be evaluated fails the execution ({@code EXPRESSION_ERROR}).</li>
 *   <li>A step that failed for good (after its retries, or before its first attempt) tries its {@code on_error}
 *       routes in order, then the workflow's {@code error_handlers} (except for a failure of a global handler step
 *       that was itself reached by an error route: a handler does not catch its own failure); the target sees the
 *       failure as {@code error}. No route matches: the execution FAILS with the step's error.</li>
 *   <li>A step about to start a run above its {@code max_iterations} (else the workflow's, else
 *       {@code harmonia.flow.max-iterations}) fails that run instead, before any attempt, with
 *       {@code ITERATION_LIMIT_EXCEEDED}; its error routes apply, except a route to a step at its own limit. Every
 *       route raises its target's run, so a machine always ends.</li>
 * </ul>
 *
 * <p>Cost: a decision looks only at the step that ended and the one it goes to (O(transitions + routes)).
 */
final class StepRules {

    private StepRules() {}

    /** Looks at one event of the decision (in order, each once): a step that ended chooses the next. */
    static void after(ExecutionEvent e, Decision d, WorkflowDefinition wf, Instant now) {
        if (e instanceof TaskCompleted c) {
            TaskDefinition def = d.index.task(c.taskId(), wf);
            // a for_each step's TaskCompleted carries no output: its output is the items' list the state assembled
            completed(def, c.run(), def.fansOut() ? d.state.task(c.taskId()).output() : c.output(), d, wf, now);
        } else if (e instanceof TaskFailed f) {
            failed(d.index.task(f.taskId(), wf), f, d, wf, now);
        }
    }

    /** Step {@code def} completed run {@code run} with {@code output}: the first transition that holds is taken. */
    static void completed(TaskDefinition def, int run, JsonNode output, Decision d, WorkflowDefinition wf,
            Instant now) {
        List<Transition> transitions = def.routing().transitions();
        if (transitions.isEmpty()) {
            complete(d, wf, now);
            return;
        }
        EvaluationContext ctx = ExecutionDecider.context(d.state, d.index, now, def.id() + ":" + run + ":transitions")
                .withOutput(output == null ? NullNode.getInstance() : output);
        for (int i = 0; i < transitions.size(); i++) {
            Transition t = transitions.get(i);
            boolean holds;
            try {
                holds = t.condition() == null || d.expressions.test(t.condition(), ctx);
            } catch (ExpressionException ex) {
                d.add(new ExecutionFailed(ErrorTypes.EXPRESSION_ERROR, "condition of transition " + i + " of step '"
                        + def.id() + "' (to '" + t.to() + "', '" + t.condition() + "') failed: " + ex.getMessage(),
                        def.id(), now));
                return;
            }
            if (holds) {
                take(new TransitionTaken(def.id(), run, t.to(), TransitionTaken.VIA_TRANSITION, i, null, null, now),
                        d, wf, now);
                return;
            }
        }
        complete(d, wf, now);
    }

    /** A step failed for good: its own error routes, then the workflow's error handlers, else the execution fails. */
    private static void failed(TaskDefinition def, TaskFailed f, Decision d, WorkflowDefinition wf, Instant now) {
        List<ErrorRoute> own = def.routing().onError();
        for (int i = 0; i < own.size(); i++) {
            if (own.get(i).matches(f.errorType()) && !exhausted(f, own.get(i).to(), d, wf)) {
                take(new TransitionTaken(def.id(), f.run(), own.get(i).to(), TransitionTaken.VIA_ON_ERROR, i,
                        f.errorType(), f.message(), now), d, wf, now);
                return;
            }
        }
        List<ErrorRoute> global = wf.errorHandlers();
        if (!handling(def.id(), d.state, wf)) {
            for (int i = 0; i < global.size(); i++) {
                if (global.get(i).matches(f.errorType()) && !exhausted(f, global.get(i).to(), d, wf)) {
                    take(new TransitionTaken(def.id(), f.run(), global.get(i).to(),
                            TransitionTaken.VIA_ERROR_HANDLER, i, f.errorType(), f.message(), now), d, wf, now);
                    return;
                }
            }
        }
        d.add(new ExecutionFailed(f.errorType(), "step '" + def.id() + "' failed: " + f.message(), def.id(), now));
    }

    /**
     * Whether a failure for the iteration limit would be routed to a step that is itself at its limit: such a route
     * is not taken (otherwise two steps at their limits could send control to each other forever).
     */
    private static boolean exhausted(TaskFailed f, String target, Decision d, WorkflowDefinition wf) {
        if (!ErrorTypes.ITERATION_LIMIT_EXCEEDED.equals(f.errorType())) {
            return false;
        }
        TaskDefinition step = d.index.task(target, wf);
        return d.state.task(target).run() + 1 > limit(step, wf, d);
    }

    private static int limit(TaskDefinition step, WorkflowDefinition wf, Decision d) {
        Integer own = step.routing().maxIterations();
        return own != null ? own : wf.maxIterations() != null ? wf.maxIterations()
                : d.decider.limits().flow().maxIterations();
    }

    /** Whether {@code stepId} is a global handler step that runs because of a failure (it was reached by an error route). */
    private static boolean handling(String stepId, ExecutionState s, WorkflowDefinition wf) {
        if (s.flow().errorFor(stepId) == null) {
            return false;
        }
        for (ErrorRoute h : wf.errorHandlers()) {
            if (h.to().equals(stepId)) {
                return true;
            }
        }
        return false;
    }

    /** Records the route and decides its target's next run, or fails that run when it is above the limit. */
    private static void take(TransitionTaken route, Decision d, WorkflowDefinition wf, Instant now) {
        d.add(route);
        TaskDefinition target = d.index.task(route.toTask(), wf);
        decide(target, d, wf, now);
    }

    /** Decides the next run of {@code step}, unless that run is above its iteration limit. */
    static void decide(TaskDefinition step, Decision d, WorkflowDefinition wf, Instant now) {
        int next = d.state.task(step.id()).run() + 1;
        Integer own = step.routing().maxIterations();
        int limit = limit(step, wf, d);
        if (next > limit) {
            String source = own != null ? "its max_iterations" : wf.maxIterations() != null
                    ? "the workflow's max_iterations" : "harmonia.flow.max-iterations";
            d.add(new TaskFailed(step.id(), next, 0, ErrorTypes.ITERATION_LIMIT_EXCEEDED, "step '" + step.id()
                    + "' would start run " + next + ", above its limit of " + limit + " runs (" + source + ")", now));
            return;
        }
        d.decider.decideTask(step, d, wf, now);
    }

    private static void complete(Decision d, WorkflowDefinition wf, Instant now) {
        JsonNode output = NullNode.getInstance();
        if (wf.output() != null && !wf.output().isNull()) {
            try {
                output = d.expressions.resolve(wf.output(), ExecutionDecider.context(d.state, d.index, now, "output"));
            } catch (ExpressionException ex) {
                d.add(new ExecutionFailed(ErrorTypes.EXPRESSION_ERROR, "output mapping of execution '"
                        + d.state.executionId() + "' failed: " + ex.getMessage(), null, now));
                return;
            }
        }
        d.add(new ExecutionCompleted(output, now));
    }

    /**
     * Ends the execution when no step is active and none comes next. The routing above ends a machine as its last
     * step ends; this only catches a machine left with nothing active (O(1): the table's counts).
     */
    static void finishIfDone(Decision d, WorkflowDefinition wf, Instant now) {
        ExecutionState s = d.state;
        if (s.status().terminal() || s.running() > 0 || s.table().retryingCount() > 0
                || !s.table().ready(1).isEmpty() || s.table().fannedOut() > 0 || d.index.size() == 0) {
            return;
        }
        String current = currentStep(s, d.index);
        TaskState t = s.task(current);
        if (t.status() == TaskStatus.FAILED) {
            d.add(new ExecutionFailed(t.errorType(), "step '" + current + "' failed: " + t.errorMessage(), current,
                    now));
        } else if (t.status().terminal()) {
            complete(d, wf, now);
        }
    }

    /** The step control was last sent to ({@link Flow#currentStep()}), or the start step. */
    static String currentStep(ExecutionState s, WorkflowIndex index) {
        String current = s.flow().currentStep();
        return current != null ? current : index.task(index.roots()[0]).id();
    }

    // ---- history ----

    /**
     * A re-run of a finished machine without {@code from_task} restarts it at the step where it ended: the step
     * that failed it, else the step that was canceled (by a cancel or the workflow timeout). Refused when it
     * completed, or ended with no step to blame (e.g. its output mapping failed): a from_task must be named.
     */
    static String rerunStep(ExecutionState s, WorkflowIndex index) {
        if (s.failedTaskId() != null && index.position(s.failedTaskId()) >= 0) {
            return s.failedTaskId();
        }
        TaskState canceled = null; // once per re-run: look at every step
        for (int p = 0; p < index.size(); p++) {
            TaskState t = s.task(index.task(p).id());
            if (t.status() == TaskStatus.CANCELED && (canceled == null || (t.endedAt() != null
                    && canceled.endedAt() != null && t.endedAt().isAfter(canceled.endedAt())))) {
                canceled = t;
            }
        }
        if (canceled != null) {
            return canceled.taskId();
        }
        throw new CommandRejected("Expected state machine execution '" + s.executionId() + "' to have ended at a"
                + " failed or canceled step to re-run it from there, but it is " + s.status() + " with none; name a"
                + " from_task (the step to restart the machine at)", s.status());
    }

    /**
     * A machine restored from a checkpoint continues at the checkpoint's current step: run again when it had not
     * completed there; when it had, its transitions are tried again with its carried output.
     */
    static void restore(ExecutionSnapshot cp, Decision d, WorkflowDefinition wf, Instant now) {
        if (d.index.size() == 0) {
            return;
        }
        String current = cp.flow().currentStep() != null && d.index.position(cp.flow().currentStep()) >= 0
                ? cp.flow().currentStep() : d.index.task(d.index.roots()[0]).id();
        TaskDefinition step = d.index.task(current, wf);
        TaskState t = d.state.task(current);
        if (t.status() == TaskStatus.COMPLETED) {
            completed(step, t.run(), t.output(), d, wf, now);
        } else {
            decide(step, d, wf, now);
        }
    }
}
