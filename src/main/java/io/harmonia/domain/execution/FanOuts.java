package io.harmonia.domain.execution;

import java.util.HashMap;
import java.util.Map;

/**
 * The for_each tasks of an execution that fanned out, by task id: how far each is. Kept up to date by the evolver
 * ({@link ForEachEvolution}) so that a decision about one item costs O(log n), not O(items).
 *
 * @param byTask per for_each task id
 */
public record FanOuts(Map<String, FanOut> byTask) {

    public static final FanOuts NONE = new FanOuts(Map.of());

    /**
     * One for_each task's current run. Its items {@code x[0]} .. {@code x[count-1]} start in index order, so the
     * items started so far are {@code x[0]} .. {@code x[started-1]}.
     *
     * @param run the task's run (its items' run)
     * @param count how many items it has
     * @param maxParallel how many may run at once
     * @param started how many items started a first attempt (the next to start is {@code x[started]})
     * @param active how many items are RUNNING or RETRYING (they hold one of the {@code maxParallel} places)
     * @param completed how many items COMPLETED
     * @param failed how many items FAILED
     * @param canceled how many items were CANCELED
     */
    public record FanOut(int run, int count, int maxParallel, int started, int active, int completed, int failed,
            int canceled) {

        public FanOut(int run, int count, int maxParallel) {
            this(run, count, maxParallel, 0, 0, 0, 0, 0);
        }

        /** Items not started yet. */
        public int pending() {
            return Math.max(0, count - started);
        }

        /** Items that ended (COMPLETED, FAILED or CANCELED). */
        public int finished() {
            return completed + failed + canceled;
        }

        FanOut plus(int dStarted, int dActive, int dCompleted, int dFailed, int dCanceled) {
            return new FanOut(run, count, maxParallel, started + dStarted, active + dActive, completed + dCompleted,
                    failed + dFailed, canceled + dCanceled);
        }
    }

    public FanOuts {
        byTask = byTask == null ? Map.of() : Map.copyOf(byTask);
    }

    public FanOut of(String taskId) {
        return byTask.get(taskId);
    }

    FanOuts with(String taskId, FanOut f) {
        Map<String, FanOut> next = new HashMap<>(byTask);
        next.put(taskId, f);
        return new FanOuts(next);
    }
}
