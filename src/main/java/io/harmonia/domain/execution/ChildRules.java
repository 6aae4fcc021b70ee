package io.harmonia.domain.execution;

import io.harmonia.domain.definition.ErrorTypes;
import io.harmonia.domain.definition.TaskDefinition;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.ExecutionCommand.ChildFinished;
import io.harmonia.domain.execution.ExecutionDecider.Decision;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The decider's rules for sub-workflows ({@code workflow.run}): the task that started a child execution ends as the
 * child did. Pure, like the decider: the child's id is a function of the attempt that starts it (see
 * {@link #childId}), so a report of another attempt's child is recognized and ignored.
 */
public final class ChildRules {

    /** The component and action of a task that runs a sub-workflow. */
    public static final String COMPONENT = "workflow";
    public static final String ACTION = "run";

    private ChildRules() {}

    /** Whether {@code def} runs a sub-workflow. */
    public static boolean runsChild(TaskDefinition def) {
        return def != null && COMPONENT.equals(def.component()) && ACTION.equals(def.action());
    }

    /**
     * The id of the child execution that attempt {@code attempt} of run {@code run} of task {@code taskId} of
     * execution {@code parentId} starts: a name-based UUID of those four, whose low 32 bits are the parent's (so the
     * child falls in the parent's partition, whatever the partition count, and is driven by the same replica). The
     * same attempt always names the same child: starting it again after a crash finds the one already started.
     */
    public static String childId(String parentId, String taskId, int run, int attempt) {
        UUID parent = UUID.fromString(parentId);
        UUID named = UUID.nameUUIDFromBytes((parentId + "/" + taskId + "/" + run + "/" + attempt)
                .getBytes(StandardCharsets.UTF_8));
        long low32 = 0xffffffffL;
        return new UUID(named.getMostSignificantBits(),
                (named.getLeastSignificantBits() & ~low32) | (parent.getLeastSignificantBits() & low32)).toString();
    }

    /**
     * The link a child started by {@code taskId} (run {@code run}) of {@code parent} gets, or null when the child
     * would nest deeper than {@code limits.maxDepth()} (see {@link #depthProblem}).
     */
    public static ParentLink link(ExecutionState parent, String taskId, int run, FlowLimits limits) {
        int depth = depthOf(parent) + 1;
        return depth > limits.maxDepth() ? null : new ParentLink(parent.executionId(), taskId, run, depth);
    }

    /** Why {@code taskId} of {@code parent} may not start a child (DEPTH_EXCEEDED), or null when it may. */
    public static String depthProblem(ExecutionState parent, String taskId, FlowLimits limits) {
        int depth = depthOf(parent) + 1;
        if (depth <= limits.maxDepth()) {
            return null;
        }
        return "expected sub-workflows to nest at most " + limits.maxDepth() + " deep (harmonia.flow.max-depth),"
                + " but task '" + taskId + "' of execution '" + parent.executionId() + "' (depth " + depthOf(parent)
                + ") would start a child at depth " + depth;
    }

    /** How deeply {@code s} is nested: 0 for a top-level execution. */
    public static int depthOf(ExecutionState s) {
        return s.parent() == null ? 0 : s.parent().depth();
    }

    /** The id of the child the running (or last) attempt of {@code t} started, or null before any attempt. */
    public static String currentChild(String parentId, TaskState t) {
        return t.attempt() <= 0 ? null : childId(parentId, t.taskId(), t.run(), t.attempt());
    }

    /** The child of {@code c.taskId()} ended: its task completes with the child's output, or fails (or retries). */
    static void finished(ChildFinished c, Decision d, WorkflowDefinition wf) {
        TaskState t = d.state.task(c.taskId());
        if (t.status() != TaskStatus.RUNNING || t.run() != c.run()
                || !childId(d.state.executionId(), t.taskId(), t.run(), t.attempt()).equals(c.childExecutionId())) {
            return; // a late or repeated report: the attempt it was for is over
        }
        if (c.status() == ExecutionStatus.COMPLETED) {
            d.decider.complete(new ExecutionCommand.CompleteTask(c.taskId(), c.run(), t.attempt(), c.output(),
                    c.now()), d, wf);
            return;
        }
        String type = c.status() == ExecutionStatus.CANCELED ? ErrorTypes.CANCELED
                : c.errorType() == null ? ErrorTypes.COMPONENT_ERROR : c.errorType();
        d.decider.failOrRetry(d, wf, t, type, "sub-workflow execution '" + c.childExecutionId() + "' ended "
                + c.status() + ": " + c.message(), ErrorTypes.RETRIABLE_BY_DEFAULT.contains(type), c.random(), c.now());
    }
}
