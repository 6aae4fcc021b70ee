package io.harmonia.domain.execution;

/**
 * Limits the decider enforces.
 *
 * @param maxTaskInputBytes a resolved task input above this fails the task with PAYLOAD_TOO_LARGE
 * @param maxTaskOutputBytes a task output above this fails the task with PAYLOAD_TOO_LARGE
 * @param defaultMaxParallelTasks per execution, when the workflow sets no {@code max_parallel_tasks}
 */
public record Limits(int maxTaskInputBytes, int maxTaskOutputBytes, int defaultMaxParallelTasks) {
    public static Limits defaults() {
        return new Limits(1 << 20, 1 << 20, 16);
    }
}
