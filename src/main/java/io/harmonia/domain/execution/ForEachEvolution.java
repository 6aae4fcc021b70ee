package io.harmonia.domain.execution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import io.harmonia.domain.execution.ExecutionEvent.ForEachExpanded;

/** How for_each events change an execution's state (see {@link FanOuts}). Pure. */
final class ForEachEvolution {

    private ForEachEvolution() {}

    /** The task fanned out: it waits for its items (FANNED_OUT), with fresh counters for this run. */
    static ExecutionState expanded(ExecutionState s, ForEachExpanded e, long v) {
        return s.withTask(s.task(e.taskId()).fannedOut(e.run(), e.at()), v)
                .withFanOuts(s.fanOuts().with(e.taskId(), new FanOuts.FanOut(e.run(), e.count(), e.maxParallel())), v);
    }

    /** An item of the current run of its fan-out changed from {@code before} to {@code after}: O(1) counters. */
    static ExecutionState item(ExecutionState s, TaskState before, TaskState after, long v) {
        String taskId = ForEachRules.taskOf(after.taskId());
        FanOuts.FanOut f = s.fanOuts().of(taskId);
        if (f == null || after.run() != f.run()) {
            return s;
        }
        TaskStatus is = after.status();
        // scheduled: a new life of the item (an item carried by a restore from a checkpoint has the same run number)
        TaskStatus was = before.run() == f.run() && is != TaskStatus.SCHEDULED ? before.status() : TaskStatus.PENDING;
        int started = was == TaskStatus.SCHEDULED && is == TaskStatus.RUNNING ? 1 : 0;
        int active = (holdsPlace(is) ? 1 : 0) - (holdsPlace(was) ? 1 : 0);
        int completed = delta(was, is, TaskStatus.COMPLETED);
        int failed = delta(was, is, TaskStatus.FAILED);
        int canceled = delta(was, is, TaskStatus.CANCELED);
        if (started == 0 && active == 0 && completed == 0 && failed == 0 && canceled == 0) {
            return s;
        }
        return s.withFanOuts(s.fanOuts().with(taskId, f.plus(started, active, completed, failed, canceled)), v);
    }

    /**
     * The output of a for_each task that completed: its items' outputs in index order (assembled once, when the task
     * completes, so that no event has to carry the whole list).
     */
    static JsonNode outputs(ExecutionState s, String taskId) {
        FanOuts.FanOut f = s.fanOuts().of(taskId);
        ArrayNode list = JsonNodeFactory.instance.arrayNode(f == null ? 0 : f.count());
        for (int i = 0; f != null && i < f.count(); i++) {
            JsonNode out = s.task(ForEachRules.itemId(taskId, i)).output();
            list.add(out == null ? NullNode.getInstance() : out);
        }
        return list;
    }

    private static boolean holdsPlace(TaskStatus st) {
        return st == TaskStatus.RUNNING || st == TaskStatus.RETRYING;
    }

    private static int delta(TaskStatus was, TaskStatus is, TaskStatus which) {
        return (is == which ? 1 : 0) - (was == which ? 1 : 0);
    }
}
