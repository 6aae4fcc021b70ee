package io.harmonia.domain.execution;

/**
 * Limits the decider enforces.
 *
 * @param maxTaskInputBytes a resolved task input above this fails the task with PAYLOAD_TOO_LARGE
 * @param maxTaskOutputBytes a task output above this fails the task with PAYLOAD_TOO_LARGE
 * @param defaultMaxParallelTasks per execution, when the workflow sets no {@code max_parallel_tasks}
 * @param maxStateBytes the global state may not grow above this (a task's state write fails the task with
 *     PAYLOAD_TOO_LARGE, an update from outside is refused)
 * @param checkpointEveryEvents a checkpoint is taken when this many events followed the last one; 0 for never
 * @param flow limits of loops, for_each and sub-workflows
 */
public record Limits(int maxTaskInputBytes, int maxTaskOutputBytes, int defaultMaxParallelTasks, int maxStateBytes,
        int checkpointEveryEvents, FlowLimits flow) {

    public Limits {
        flow = flow == null ? FlowLimits.DEFAULTS : flow;
    }

    public Limits(int maxTaskInputBytes, int maxTaskOutputBytes, int defaultMaxParallelTasks, int maxStateBytes,
            int checkpointEveryEvents) {
        this(maxTaskInputBytes, maxTaskOutputBytes, defaultMaxParallelTasks, maxStateBytes, checkpointEveryEvents,
                FlowLimits.DEFAULTS);
    }

    public Limits(int maxTaskInputBytes, int maxTaskOutputBytes, int defaultMaxParallelTasks) {
        this(maxTaskInputBytes, maxTaskOutputBytes, defaultMaxParallelTasks, 1 << 20, 0);
    }

    public static Limits defaults() {
        return new Limits(1 << 20, 1 << 20, 16, 1 << 20, 500);
    }

    public Limits withCheckpointEveryEvents(int n) {
        return new Limits(maxTaskInputBytes, maxTaskOutputBytes, defaultMaxParallelTasks, maxStateBytes, n, flow);
    }

    public Limits withFlow(FlowLimits newFlow) {
        return new Limits(maxTaskInputBytes, maxTaskOutputBytes, defaultMaxParallelTasks, maxStateBytes,
                checkpointEveryEvents, newFlow);
    }
}
