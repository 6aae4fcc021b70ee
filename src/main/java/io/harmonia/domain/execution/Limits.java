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
 * @param maxSignals signals (distinct ids) one execution may receive; one more is refused (CommandRejected)
 */
public record Limits(int maxTaskInputBytes, int maxTaskOutputBytes, int defaultMaxParallelTasks, int maxStateBytes,
        int checkpointEveryEvents, FlowLimits flow, int maxSignals) {

    /** Signals one execution may receive unless configured ({@code harmonia.signals.max-per-execution}). */
    public static final int DEFAULT_MAX_SIGNALS = 1000;

    public Limits {
        flow = flow == null ? FlowLimits.DEFAULTS : flow;
    }

    public Limits(int maxTaskInputBytes, int maxTaskOutputBytes, int defaultMaxParallelTasks, int maxStateBytes,
            int checkpointEveryEvents, FlowLimits flow) {
        this(maxTaskInputBytes, maxTaskOutputBytes, defaultMaxParallelTasks, maxStateBytes, checkpointEveryEvents, flow,
                DEFAULT_MAX_SIGNALS);
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
        return new Limits(maxTaskInputBytes, maxTaskOutputBytes, defaultMaxParallelTasks, maxStateBytes, n, flow,
                maxSignals);
    }

    public Limits withFlow(FlowLimits newFlow) {
        return new Limits(maxTaskInputBytes, maxTaskOutputBytes, defaultMaxParallelTasks, maxStateBytes,
                checkpointEveryEvents, newFlow, maxSignals);
    }

    public Limits withMaxSignals(int n) {
        return new Limits(maxTaskInputBytes, maxTaskOutputBytes, defaultMaxParallelTasks, maxStateBytes,
                checkpointEveryEvents, flow, n);
    }
}
