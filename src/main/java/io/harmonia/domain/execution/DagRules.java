package io.harmonia.domain.execution;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.domain.definition.ErrorRoute;
import io.harmonia.domain.definition.ErrorTypes;
import io.harmonia.domain.definition.InvalidRequest;
import io.harmonia.domain.definition.Problem;
import io.harmonia.domain.definition.RunIf;
import io.harmonia.domain.definition.TaskDefinition;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.ExecutionDecider.Decision;
import io.harmonia.domain.execution.ExecutionEvent.TaskFailed;
import io.harmonia.domain.execution.ExecutionEvent.TaskSkipped;
import io.harmonia.domain.execution.ExecutionEvent.TransitionTaken;
import java.time.Instant;
import java.util.BitSet;
import java.util.List;

/**
 * The decider's rules for a DAG: when a task's dependencies let it be decided ({@code run_if}), and the workflow's
 * error handlers. Pure, like the decider that calls it.
 *
 * <h2>Trigger rules ({@code run_if})</h2>
 * A dependency "failed" when it is FAILED, or SKIPPED with {@code UPSTREAM_FAILED}; it "succeeded" when it is
 * COMPLETED. Every other final status (SKIPPED for its condition, for its own trigger rule, or as an unused handler)
 * is "done".
 * <table>
 *   <caption>run_if</caption>
 *   <tr><th>run_if</th><th>decided when</th><th>runs when</th><th>otherwise SKIPPED with</th></tr>
 *   <tr><td>{@code none_failed} (default)</td><td>every dependency is final</td><td>none failed</td>
 *       <td>{@code UPSTREAM_FAILED}</td></tr>
 *   <tr><td>{@code all_succeeded}</td><td>every dependency is final</td><td>every one succeeded</td>
 *       <td>{@code UPSTREAM_FAILED} if one failed, else {@code UPSTREAM_SKIPPED}</td></tr>
 *   <tr><td>{@code all_done}</td><td>every dependency is final</td><td>always</td><td>-</td></tr>
 *   <tr><td>{@code any_failed}</td><td>one failed, or every one is final</td><td>one failed</td>
 *       <td>{@code RUN_IF_UNMET}</td></tr>
 *   <tr><td>{@code any_succeeded}</td><td>one succeeded, or every one is final</td><td>one succeeded</td>
 *       <td>{@code UPSTREAM_FAILED} if one failed, else {@code RUN_IF_UNMET}</td></tr>
 * </table>
 * The task's {@code condition} is evaluated after its trigger rule let it run. A task SKIPPED with
 * {@code RUN_IF_UNMET} or {@code UPSTREAM_SKIPPED} is done, not failed, for its own dependents. The execution's
 * outcome does not change: it FAILS when any task FAILED, even if a task that ran because of it (a cleanup with
 * {@code any_failed}) completed.
 *
 * <h2>Error handlers</h2>
 * {@code error_handlers: [{"error_type": "TIMEOUT" | "*", "handler_task": "cleanup"}]}: handler tasks have no
 * {@code depends_on} and no task depends on them; they are not roots. When a task that is not a handler fails for
 * good (its TaskFailed; for a for_each task, the task's own TaskFailed, not its items'), the first entry that
 * matches its error type and whose handler task is still PENDING is taken: a {@link TransitionTaken} (via
 * {@code error_handler}, the entry's index, the error type and message) and the handler is decided right away with
 * {@code error} = {@code {type, message, task_id, run}} in its expressions. A handler is decided at most once per
 * execution (its condition false counts), for the first failure it matches; later failures stay visible as failed
 * tasks. A handler's own failure starts no handler. When every other task is final, handlers that never ran are
 * SKIPPED with {@code NOT_NEEDED}; the execution ends only after a started handler ended (it FAILS as before, with
 * the first failed task's error).
 *
 * <p>History: a restore does not carry handler tasks over (they are armed again in the restored execution). A re-run
 * reopens a handler that was {@code NOT_NEEDED}, and one whose handled task it re-runs (so a failure in the re-run
 * runs it again, as its next run); a handler of a failure that the re-run leaves as it was keeps its run. A re-run
 * cannot start from a handler task.
 */
final class DagRules {

    private DagRules() {}

    /** Whether a PENDING task may be decided now (O(dependencies)); an error handler task never is by this rule. */
    static boolean ready(TaskDefinition def, ExecutionState s, WorkflowDefinition wf) {
        if (!wf.stateMachine() && !wf.errorHandlers().isEmpty() && isHandler(def.id(), wf)) {
            return false; // decided only when a failure sends control to it (after), or skipped at the end
        }
        RunIf rule = def.runIf();
        boolean eager = rule == RunIf.ANY_FAILED || rule == RunIf.ANY_SUCCEEDED;
        boolean allFinal = true;
        for (String dep : def.dependsOn()) {
            TaskState upstream = s.task(dep);
            if (!upstream.status().terminal()) {
                allFinal = false;
                if (!eager) {
                    return false;
                }
            } else if (rule == RunIf.ANY_FAILED && failed(upstream)) {
                return true;
            } else if (rule == RunIf.ANY_SUCCEEDED && upstream.status() == TaskStatus.COMPLETED) {
                return true;
            }
        }
        return allFinal;
    }

    /** Why a task that may be decided is SKIPPED because of how its dependencies ended, or null when it runs. */
    static String skipReason(TaskDefinition def, ExecutionState s) {
        RunIf rule = def.runIf();
        if (rule == RunIf.NONE_FAILED) {
            for (String dep : def.dependsOn()) {
                if (failed(s.task(dep))) {
                    return ErrorTypes.UPSTREAM_FAILED;
                }
            }
            return null;
        }
        if (rule == RunIf.ALL_DONE) {
            return null;
        }
        boolean anyFailed = false;
        boolean anyNotCompleted = false;
        boolean anyCompleted = false;
        for (String dep : def.dependsOn()) {
            TaskState upstream = s.task(dep);
            anyFailed |= failed(upstream);
            anyCompleted |= upstream.status() == TaskStatus.COMPLETED;
            anyNotCompleted |= upstream.status() != TaskStatus.COMPLETED;
        }
        return switch (rule) {
            case ALL_SUCCEEDED -> anyFailed ? ErrorTypes.UPSTREAM_FAILED
                    : anyNotCompleted ? ExecutionDecider.UPSTREAM_SKIPPED : null;
            case ANY_FAILED -> anyFailed ? null : ExecutionDecider.RUN_IF_UNMET;
            case ANY_SUCCEEDED -> anyCompleted ? null
                    : anyFailed ? ErrorTypes.UPSTREAM_FAILED : ExecutionDecider.RUN_IF_UNMET;
            default -> null;
        };
    }

    /** FAILED, or SKIPPED because of a failure upstream. */
    private static boolean failed(TaskState t) {
        return t.status() == TaskStatus.FAILED || (t.status() == TaskStatus.SKIPPED
                && ErrorTypes.UPSTREAM_FAILED.equals(t.errorType()));
    }

    /** Looks at one event of the decision (in order, each once): a task that failed for good may start a handler. */
    static void after(ExecutionEvent e, Decision d, WorkflowDefinition wf, Instant now) {
        if (!(e instanceof TaskFailed f) || wf.errorHandlers().isEmpty() || isHandler(f.taskId(), wf)) {
            return;
        }
        List<ErrorRoute> handlers = wf.errorHandlers();
        for (int i = 0; i < handlers.size(); i++) {
            ErrorRoute route = handlers.get(i);
            if (!route.matches(f.errorType()) || d.state.task(route.to()).status() != TaskStatus.PENDING) {
                continue;
            }
            d.add(new TransitionTaken(f.taskId(), f.run(), route.to(), TransitionTaken.VIA_ERROR_HANDLER, i,
                    f.errorType(), f.message(), now));
            d.decider.decideTask(d.index.task(route.to(), wf), d, wf, now);
            return;
        }
    }

    /**
     * Just before the execution may end: when every task but the handlers is final, the handlers that never ran are
     * SKIPPED ({@code NOT_NEEDED}). O(1) while more tasks than handlers are not final, O(handlers) after.
     */
    static void beforeFinish(Decision d, WorkflowDefinition wf, Instant now) {
        List<ErrorRoute> handlers = wf.errorHandlers();
        if (handlers.isEmpty() || d.state.status().terminal()
                || d.state.table().terminal() + handlers.size() < d.index.size()) {
            return;
        }
        int notFinal = 0;
        int pending = 0;
        BitSet seen = new BitSet();
        for (ErrorRoute route : handlers) {
            int p = d.index.position(route.to());
            if (p < 0 || seen.get(p)) {
                continue;
            }
            seen.set(p);
            TaskStatus status = d.state.task(route.to()).status();
            if (!status.terminal()) {
                notFinal++;
                pending += status == TaskStatus.PENDING ? 1 : 0;
            }
        }
        if (pending == 0 || d.state.table().terminal() + notFinal < d.index.size()) {
            return; // another task is not final yet, or no handler waits
        }
        for (int p = seen.nextSetBit(0); p >= 0; p = seen.nextSetBit(p + 1)) {
            TaskState t = d.state.task(d.index.task(p).id());
            if (t.status() == TaskStatus.PENDING) {
                d.add(new TaskSkipped(t.taskId(), t.run() + 1, ExecutionDecider.NOT_NEEDED, now));
            }
        }
    }

    /** Whether {@code taskId} is one of the workflow's error handler tasks: O(handlers). */
    static boolean isHandler(String taskId, WorkflowDefinition wf) {
        for (ErrorRoute route : wf.errorHandlers()) {
            if (route.to().equals(taskId)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a restore carries task {@code t} over: a DAG's handler tasks are armed again instead. */
    static boolean carries(TaskState t, WorkflowDefinition wf) {
        return wf.stateMachine() || !isHandler(t.taskId(), wf);
    }

    /**
     * A re-run's handlers: it may not start from a handler task; it reopens (adds to {@code chosen}) a handler that
     * was {@code NOT_NEEDED}, and one whose handled task it re-runs.
     */
    static void rerun(String fromTask, Decision d, WorkflowDefinition wf, BitSet chosen) {
        if (wf.stateMachine() || wf.errorHandlers().isEmpty()) {
            return;
        }
        if (fromTask != null && isHandler(fromTask, wf)) {
            throw new InvalidRequest("Cannot re-run from an error handler task", List.of(new Problem("/from_task",
                    "expected a task that is not an error handler of workflow '" + wf.id() + "' version "
                            + wf.version() + ", found handler task '" + fromTask + "' (it runs only when a task"
                            + " fails: re-run from the task whose failure it handles)")));
        }
        for (ErrorRoute route : wf.errorHandlers()) {
            int p = d.index.position(route.to());
            if (p < 0 || chosen.get(p)) {
                continue;
            }
            TaskState t = d.state.task(route.to());
            if (t.status() == TaskStatus.PENDING) {
                continue;
            }
            JsonNode handled = d.state.flow().errorFor(route.to());
            int handledAt = handled == null ? -1 : d.index.position(handled.path("task_id").asText());
            if ((t.status() == TaskStatus.SKIPPED && ExecutionDecider.NOT_NEEDED.equals(t.errorType()))
                    || (handledAt >= 0 && chosen.get(handledAt))) {
                chosen.set(p);
            }
        }
    }

    /**
     * Whether a re-run of the failed part starts from a SKIPPED task: not when it was skipped by a choice (its
     * condition, its trigger rule, an unused handler) rather than because of a failure or the end of the execution.
     */
    static boolean rerunsSkipped(String reason) {
        return !(ExecutionDecider.CONDITION_FALSE.equals(reason) || ExecutionDecider.RUN_IF_UNMET.equals(reason)
                || ExecutionDecider.UPSTREAM_SKIPPED.equals(reason) || ExecutionDecider.NOT_NEEDED.equals(reason));
    }
}
