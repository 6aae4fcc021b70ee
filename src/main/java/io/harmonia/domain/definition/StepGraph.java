package io.harmonia.domain.definition;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks of a state machine as a whole, once its steps are read and every transition names a known step:
 * unreachable steps, loops with no way out and no {@code max_iterations}. Pure; O(steps + routes) (no recursion,
 * so a machine of thousands of steps is checked as well as a small one).
 */
final class StepGraph {

    private StepGraph() {}

    /** Adds a problem (with a pointer into {@code /steps}) for each thing wrong with the graph. */
    static void problems(WorkflowDefinition wf, List<Problem> problems) {
        List<TaskDefinition> steps = wf.tasks();
        int n = steps.size();
        if (n == 0) {
            return;
        }
        Map<String, Integer> position = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            position.putIfAbsent(steps.get(i).id(), i);
        }
        int[][] next = new int[n][];
        for (int i = 0; i < n; i++) {
            StepRouting r = steps.get(i).routing();
            List<Integer> out = new ArrayList<>();
            r.transitions().forEach(t -> add(position.get(t.to()), out));
            r.onError().forEach(e -> add(position.get(e.to()), out));
            next[i] = out.stream().mapToInt(Integer::intValue).toArray();
        }
        Integer start = wf.startAt() == null ? Integer.valueOf(0) : position.get(wf.startAt());
        unreachable(wf, steps, next, start == null ? 0 : start, position, problems);
        if (wf.maxIterations() == null) {
            endlessLoops(steps, next, problems);
        }
    }

    private static void add(Integer p, List<Integer> out) {
        if (p != null) {
            out.add(p);
        }
    }

    /** Steps no transition, {@code on_error} route or error handler leads to from the start (handlers count). */
    private static void unreachable(WorkflowDefinition wf, List<TaskDefinition> steps, int[][] next, int start,
            Map<String, Integer> position, List<Problem> problems) {
        BitSet seen = new BitSet(steps.size());
        Deque<Integer> todo = new ArrayDeque<>();
        todo.add(start);
        for (ErrorRoute h : wf.errorHandlers()) {
            Integer handler = position.get(h.to());
            if (handler != null) {
                todo.add(handler); // a handler step is reached by any failure
            }
        }
        while (!todo.isEmpty()) {
            int p = todo.poll();
            if (!seen.get(p)) {
                seen.set(p);
                for (int q : next[p]) {
                    todo.add(q);
                }
            }
        }
        String startId = steps.get(start).id();
        for (int i = seen.nextClearBit(0); i < steps.size(); i = seen.nextClearBit(i + 1)) {
            problems.add(new Problem("/steps/" + i, "step '" + steps.get(i).id() + "' is unreachable: no"
                    + " transition, on_error route or error handler leads to it from the start step '" + startId
                    + "'; add a transition to it or remove it"));
        }
    }

    /**
     * Loops that nothing ends: a strongly connected set of steps (a cycle) where every step has transitions (none
     * ends the execution), no transition or {@code on_error} route leaves the set, and no step sets
     * {@code max_iterations} (the caller checked the workflow sets none).
     */
    private static void endlessLoops(List<TaskDefinition> steps, int[][] next, List<Problem> problems) {
        int[] component = components(next);
        int count = Arrays.stream(component).max().orElse(-1) + 1;
        boolean[] open = new boolean[count]; // has an exit, an end, or a bound
        int[] size = new int[count];
        boolean[] selfLoop = new boolean[count];
        for (int i = 0; i < steps.size(); i++) {
            int c = component[i];
            size[c]++;
            StepRouting r = steps.get(i).routing();
            if (r.transitions().isEmpty() || r.maxIterations() != null) {
                open[c] = true;
            }
            for (int q : next[i]) {
                if (component[q] != c) {
                    open[c] = true;
                } else if (q == i) {
                    selfLoop[c] = true;
                }
            }
        }
        List<List<Integer>> members = new ArrayList<>(count);
        for (int c = 0; c < count; c++) {
            members.add(new ArrayList<>());
        }
        for (int i = 0; i < steps.size(); i++) {
            members.get(component[i]).add(i);
        }
        for (int c = 0; c < count; c++) {
            if (open[c] || (size[c] == 1 && !selfLoop[c])) {
                continue;
            }
            List<Integer> m = members.get(c);
            List<String> ids = m.stream().limit(20).map(i -> steps.get(i).id()).toList();
            problems.add(new Problem("/steps/" + m.get(0) + "/transitions", "step" + (m.size() == 1 ? " " : "s ")
                    + ids + (m.size() > 20 ? " (and " + (m.size() - 20) + " more)" : "") + " form a loop with no"
                    + " way out: every transition and on_error route leads back into it and no max_iterations"
                    + " bounds it; add a transition out of the loop (e.g. with a condition), or max_iterations to a"
                    + " step or the workflow"));
        }
    }

    /** Tarjan's strongly connected components, without recursion: the component of each node. */
    static int[] components(int[][] next) {
        int n = next.length;
        int[] index = new int[n];
        int[] low = new int[n];
        int[] component = new int[n];
        Arrays.fill(index, -1);
        boolean[] onStack = new boolean[n];
        int[] stack = new int[n];
        int top = 0;
        int[] callNode = new int[n];
        int[] callEdge = new int[n];
        int counter = 0;
        int components = 0;
        for (int root = 0; root < n; root++) {
            if (index[root] >= 0) {
                continue;
            }
            int depth = 0;
            callNode[0] = root;
            callEdge[0] = 0;
            index[root] = low[root] = counter++;
            stack[top++] = root;
            onStack[root] = true;
            while (depth >= 0) {
                int v = callNode[depth];
                if (callEdge[depth] < next[v].length) {
                    int w = next[v][callEdge[depth]++];
                    if (index[w] < 0) {
                        index[w] = low[w] = counter++;
                        stack[top++] = w;
                        onStack[w] = true;
                        depth++;
                        callNode[depth] = w;
                        callEdge[depth] = 0;
                    } else if (onStack[w]) {
                        low[v] = Math.min(low[v], index[w]);
                    }
                    continue;
                }
                if (low[v] == index[v]) {
                    int w;
                    do {
                        w = stack[--top];
                        onStack[w] = false;
                        component[w] = components;
                    } while (w != v);
                    components++;
                }
                depth--;
                if (depth >= 0) {
                    int parent = callNode[depth];
                    low[parent] = Math.min(low[parent], low[v]);
                }
            }
        }
        return component;
    }
}
