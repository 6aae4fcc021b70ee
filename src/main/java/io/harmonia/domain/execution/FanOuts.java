package io.harmonia.domain.execution;

import java.util.Map;

/**
 * The for_each tasks of an execution that fanned out, by task id: how far each is. Kept up to date by the evolver
 * so that a decision about one item costs O(log n), not O(items).
 *
 * @param byTask per for_each task id
 */
public record FanOuts(Map<String, FanOut> byTask) {

    public static final FanOuts NONE = new FanOuts(Map.of());

    /**
     * One for_each task's current run.
     *
     * @param run the task's run
     * @param count how many items it has
     * @param maxParallel how many may run at once
     */
    public record FanOut(int run, int count, int maxParallel) {}

    public FanOuts {
        byTask = byTask == null ? Map.of() : Map.copyOf(byTask);
    }

    public FanOut of(String taskId) {
        return byTask.get(taskId);
    }
}
