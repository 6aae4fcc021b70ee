package io.harmonia.domain.execution;

import io.harmonia.domain.definition.TaskDefinition;
import io.harmonia.domain.definition.WorkflowDefinition;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A workflow definition's tasks by id, their positions in definition order and their dependents, built once per
 * definition instance (definitions are immutable) so a decision looks tasks up in O(1) instead of scanning the list.
 */
public final class WorkflowIndex {

    private static final Map<Key, WorkflowIndex> CACHE = new ConcurrentHashMap<>();
    private static final ReferenceQueue<WorkflowDefinition> CLEARED = new ReferenceQueue<>();

    /** The index used last: most decisions in a row are about the same workflow. */
    private static volatile WorkflowIndex last;

    private final WeakReference<WorkflowDefinition> owner;
    private final List<TaskDefinition> tasks;
    private final Map<String, Integer> position;
    private final int[][] dependents;
    private final int[] roots;
    private final boolean stateMachine;
    private final boolean fansOut;

    private WorkflowIndex(WorkflowDefinition wf) {
        this.owner = new WeakReference<>(wf);
        this.tasks = List.copyOf(wf.tasks());
        this.stateMachine = wf.stateMachine();
        this.fansOut = tasks.stream().anyMatch(TaskDefinition::fansOut);
        java.util.Set<String> handlers = new java.util.HashSet<>();
        wf.errorHandlers().forEach(h -> handlers.add(h.to()));
        this.position = new HashMap<>(tasks.size() * 2);
        for (int i = 0; i < tasks.size(); i++) {
            position.putIfAbsent(tasks.get(i).id(), i);
        }
        List<List<Integer>> down = new ArrayList<>(tasks.size());
        List<Integer> rootList = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            down.add(new ArrayList<>(0));
        }
        for (int i = 0; i < tasks.size(); i++) {
            List<String> deps = tasks.get(i).dependsOn();
            if (deps == null || deps.isEmpty()) {
                if (!stateMachine && !handlers.contains(tasks.get(i).id())) {
                    rootList.add(i); // a DAG's error handler runs only when a task fails
                }
                continue;
            }
            for (String dep : deps) {
                Integer p = position.get(dep);
                if (p != null) {
                    down.get(p).add(i);
                }
            }
        }
        this.dependents = new int[tasks.size()][];
        for (int i = 0; i < tasks.size(); i++) {
            dependents[i] = down.get(i).stream().mapToInt(Integer::intValue).toArray();
        }
        if (stateMachine && !tasks.isEmpty()) {
            Integer start = wf.startAt() == null ? Integer.valueOf(0) : position.get(wf.startAt());
            rootList.add(start == null ? 0 : start);
        }
        this.roots = rootList.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The index of {@code wf}, built on first use and kept while the definition instance is alive. */
    public static WorkflowIndex of(WorkflowDefinition wf) {
        WorkflowIndex recent = last;
        if (recent != null && recent.owner.get() == wf) {
            return recent;
        }
        WorkflowIndex index = CACHE.get(new Probe(wf));
        if (index == null) {
            for (Object cleared; (cleared = CLEARED.poll()) != null; ) {
                CACHE.remove(cleared);
            }
            index = CACHE.computeIfAbsent(new Key(wf, CLEARED), k -> new WorkflowIndex(wf));
        }
        last = index;
        return index;
    }

    public int size() {
        return tasks.size();
    }

    public TaskDefinition task(int position) {
        return tasks.get(position);
    }

    /**
     * The task with this id (for an item of a for_each, {@code fetch[3]}, the task {@code fetch}); throws naming
     * the workflow when there is none.
     */
    public TaskDefinition task(String taskId, WorkflowDefinition wf) {
        Integer p = position.get(taskId);
        if (p == null && taskId.endsWith("]") && taskId.indexOf('[') > 0) {
            p = position.get(taskId.substring(0, taskId.indexOf('[')));
        }
        if (p == null) {
            throw new IllegalStateException("Expected task '" + taskId + "' in workflow '" + wf.id() + "' version "
                    + wf.version() + ", but it has no such task");
        }
        return tasks.get(p);
    }

    /** The position of a task in definition order, or -1. */
    public int position(String taskId) {
        Integer p = position.get(taskId);
        return p == null ? -1 : p;
    }

    /** Positions of the tasks that depend on the task at {@code position}. */
    public int[] dependents(int position) {
        return dependents[position];
    }

    /** Whether a task of the workflow has a for_each. */
    public boolean fansOut() {
        return fansOut;
    }

    /** Whether the workflow is a state machine of steps. */
    public boolean stateMachine() {
        return stateMachine;
    }

    /**
     * Where an execution starts: a DAG's tasks without dependencies (except error handlers), or a state machine's
     * start step.
     */
    public int[] roots() {
        return roots;
    }

    /** A weak, identity-compared reference to a definition: the cache never keeps a definition alive. */
    private static final class Key extends WeakReference<WorkflowDefinition> {
        private final int hash;

        Key(WorkflowDefinition wf, ReferenceQueue<WorkflowDefinition> queue) {
            super(wf, queue);
            this.hash = System.identityHashCode(wf);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (this == o) {
                return true;
            }
            Object mine = get();
            return mine != null && (o instanceof Key k ? mine == k.get() : o instanceof Probe p && mine == p.wf);
        }
    }

    /** A look-up key that is not a {@link java.lang.ref.Reference} (cheaper to make on every decision). */
    private static final class Probe {
        private final WorkflowDefinition wf;

        Probe(WorkflowDefinition wf) {
            this.wf = wf;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(wf);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.get() == wf;
        }
    }
}
