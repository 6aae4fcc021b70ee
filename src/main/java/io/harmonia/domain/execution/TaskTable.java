package io.harmonia.domain.execution;

import java.util.ArrayList;
import java.util.List;

/**
 * The tasks of one execution, with what the decider asks of them kept up to date on every change, so that no
 * decision has to look at every task: how many run, how many are final, which are waiting for a slot (in the order
 * they became ready) and which wait for a retry. Immutable; {@link #with} costs O(log n).
 *
 * <p>Items of a for_each ({@code x[3]}) are tasks of their own here, counted in {@link #running} and
 * {@link #retrying}, but not in {@link #terminal} (which counts the definition's tasks) and never in the ready
 * queue: {@link ForEachRules} starts them in index order from the counters in {@link FanOuts}.
 */
public final class TaskTable {

    static final TaskTable EMPTY = new TaskTable(PersistentHashMap.empty(), 0, 0, PersistentHashMap.empty(),
            PersistentHashMap.empty(), 0, 0, PersistentHashMap.empty(), 0);

    private final PersistentHashMap<String, TaskState> tasks;
    private final int running;
    private final int terminal;
    /** SCHEDULED tasks by the order they became SCHEDULED: sequence -> task id, and back. */
    private final PersistentHashMap<Long, String> ready;
    private final PersistentHashMap<String, Long> readySequence;
    private final long readyHead;
    private final long readyTail;
    /** RETRYING task ids. */
    private final PersistentHashMap<String, Boolean> retrying;
    /** How many for_each tasks are FANNED_OUT. */
    private final int fannedOut;

    private TaskTable(PersistentHashMap<String, TaskState> tasks, int running, int terminal,
            PersistentHashMap<Long, String> ready, PersistentHashMap<String, Long> readySequence, long readyHead,
            long readyTail, PersistentHashMap<String, Boolean> retrying, int fannedOut) {
        this.tasks = tasks;
        this.running = running;
        this.terminal = terminal;
        this.ready = ready;
        this.readySequence = readySequence;
        this.readyHead = readyHead;
        this.readyTail = readyTail;
        this.retrying = retrying;
        this.fannedOut = fannedOut;
    }

    /** How many for_each tasks wait for their items (FANNED_OUT). */
    public int fannedOut() {
        return fannedOut;
    }

    /** Per task id; tasks no event touched yet are absent. Iteration order is not the definition order. */
    public PersistentHashMap<String, TaskState> tasks() {
        return tasks;
    }

    /** How many tasks are RUNNING. */
    public int running() {
        return running;
    }

    /** How many tasks (items of a for_each aside) are in a final state (COMPLETED, FAILED, SKIPPED, CANCELED). */
    public int terminal() {
        return terminal;
    }

    /** How many tasks are RETRYING. */
    public int retryingCount() {
        return retrying.size();
    }

    /** Ids of RETRYING tasks (any order). */
    public List<String> retrying() {
        return new ArrayList<>(retrying.keySet());
    }

    /** Up to {@code limit} SCHEDULED task ids, in the order they became SCHEDULED. */
    public List<String> ready(int limit) {
        List<String> ids = new ArrayList<>(Math.max(0, Math.min(limit, ready.size())));
        for (long seq = readyHead; seq < readyTail && ids.size() < limit; seq++) {
            String id = ready.get(seq);
            if (id != null) {
                ids.add(id);
            }
        }
        return ids;
    }

    /** This table with {@code after} in place of the task's previous state. */
    TaskTable with(TaskState after) {
        TaskState before = tasks.get(after.taskId());
        TaskStatus was = before == null ? TaskStatus.PENDING : before.status();
        TaskStatus is = after.status();
        int newRunning = running + (is == TaskStatus.RUNNING ? 1 : 0) - (was == TaskStatus.RUNNING ? 1 : 0);
        boolean item = ForEachRules.isItem(after.taskId());
        int newTerminal = item ? terminal : terminal + (is.terminal() ? 1 : 0) - (was.terminal() ? 1 : 0);
        int newFannedOut = fannedOut + (is == TaskStatus.FANNED_OUT ? 1 : 0) - (was == TaskStatus.FANNED_OUT ? 1 : 0);
        PersistentHashMap<Long, String> newReady = ready;
        PersistentHashMap<String, Long> newReadySequence = readySequence;
        long head = readyHead;
        long tail = readyTail;
        if (item) {
            // items never enter the ready queue (see the class doc)
        } else if (was == TaskStatus.SCHEDULED && is != TaskStatus.SCHEDULED) {
            Long seq = readySequence.get(after.taskId());
            if (seq != null) {
                newReady = newReady.minus(seq);
                newReadySequence = newReadySequence.minus(after.taskId());
                while (head < tail && !newReady.containsKey(head)) {
                    head++;
                }
            }
        } else if (is == TaskStatus.SCHEDULED && was != TaskStatus.SCHEDULED) {
            newReady = newReady.plus(tail, after.taskId());
            newReadySequence = newReadySequence.plus(after.taskId(), tail);
            tail++;
        }
        PersistentHashMap<String, Boolean> newRetrying = retrying;
        if (was == TaskStatus.RETRYING && is != TaskStatus.RETRYING) {
            newRetrying = newRetrying.minus(after.taskId());
        } else if (is == TaskStatus.RETRYING && was != TaskStatus.RETRYING) {
            newRetrying = newRetrying.plus(after.taskId(), Boolean.TRUE);
        }
        return new TaskTable(tasks.plus(after.taskId(), after), newRunning, newTerminal, newReady, newReadySequence,
                head, tail, newRetrying, newFannedOut);
    }

    /** Equal when the tasks are: everything else follows from them. */
    @Override
    public boolean equals(Object o) {
        return o instanceof TaskTable t && tasks.equals(t.tasks);
    }

    @Override
    public int hashCode() {
        return tasks.hashCode();
    }

    @Override
    public String toString() {
        return tasks.toString();
    }
}
