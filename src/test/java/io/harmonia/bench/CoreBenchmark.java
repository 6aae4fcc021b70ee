package io.harmonia.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.harmonia.domain.TestDefinitions;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.ExecutionCommand;
import io.harmonia.domain.execution.ExecutionDecider;
import io.harmonia.domain.execution.ExecutionEvent;
import io.harmonia.domain.execution.ExecutionEvolver;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.domain.execution.Limits;
import io.harmonia.domain.expression.EvaluationContext;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A plain micro-benchmark of the pure core, without a database: how many whole executions the decider runs per
 * second (W1, W2, W3 shapes, every task completing at once) and how many expressions the evaluator resolves per
 * second. Run with {@code bench/core.sh}. Not a test: it asserts nothing and CI does not run it.
 */
public final class CoreBenchmark {

    public static void main(String[] args) {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        ExecutionDecider decider = new ExecutionDecider(TestDefinitions.CEL, Limits.defaults());
        if (args.length > 1) { // bench/core.sh-style run of the large shapes: CoreBenchmark 1 5000
            large(decider, Integer.parseInt(args[1]));
            return;
        }
        for (String w : List.of("W1", "W2", "W3")) {
            WorkflowDefinition wf = TestDefinitions.workflow(workflow(w));
            run(w, seconds, () -> execute(decider, wf));
        }
        JsonNode template = TestDefinitions.json("{'value': '${tasks.a.output.n * 2}', 'text': 'n is ${input.n}'}");
        EvaluationContext ctx = new EvaluationContext(TestDefinitions.json("{'n': 21}"),
                Map.of("a", TestDefinitions.json("{'output': {'n': 21}, 'status': 'COMPLETED', 'error': null}")),
                "e1", "w1", Instant.EPOCH, JsonNodeFactory.instance.objectNode(), Instant.EPOCH, "seed");
        run("template (2 expressions)", seconds, () -> TestDefinitions.CEL.resolve(template, ctx).size());
        run("condition", seconds, () -> TestDefinitions.CEL.test("input.n > 0 && tasks.a.status == 'COMPLETED'", ctx)
                ? 1 : 0);
    }

    interface Op {
        int run();
    }

    static void run(String name, int seconds, Op op) {
        long sink = 0;
        long warmEnd = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < warmEnd) {
            sink += op.run();
        }
        long n = 0;
        long start = System.nanoTime();
        long cpuStart = CPU.getCurrentThreadCpuTime();
        long end = start + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            sink += op.run();
            n++;
        }
        double perSecond = n / ((System.nanoTime() - start) / 1e9);
        double cpuMicros = (CPU.getCurrentThreadCpuTime() - cpuStart) / 1e3 / n;
        System.out.printf("%-28s %,12.0f ops/s   %8.2f us/op   %8.2f us CPU/op   (sink %d)%n", name, perSecond,
                1e6 / perSecond, cpuMicros, sink % 10);
    }

    /** Runs one execution to completion, every started task completing at once; returns the events decided. */
    static int execute(ExecutionDecider decider, WorkflowDefinition wf) {
        Instant now = Instant.EPOCH;
        ExecutionState s = ExecutionState.initial();
        List<ExecutionEvent> events = decider.decide(new ExecutionCommand.Start("e-1", TestDefinitions.json("{'n': 1}"),
                now), s, wf);
        s = ExecutionEvolver.fold(s, events);
        int total = events.size();
        while (!s.status().terminal()) {
            ExecutionEvent.TaskStarted started = null;
            for (ExecutionEvent e : events) {
                if (e instanceof ExecutionEvent.TaskStarted t) {
                    started = t;
                    break;
                }
            }
            if (started == null) {
                started = s.tasks().values().stream()
                        .filter(t -> t.status() == io.harmonia.domain.execution.TaskStatus.RUNNING)
                        .map(t -> new ExecutionEvent.TaskStarted(t.taskId(), t.run(), t.attempt(), null, Instant.EPOCH))
                        .findFirst().orElseThrow();
            }
            events = decider.decide(new ExecutionCommand.CompleteTask(started.taskId(), started.run(),
                    started.attempt(), s.task(started.taskId()).input(), now), s, wf);
            s = ExecutionEvolver.fold(s, events);
            total += events.size();
        }
        return total;
    }

    /**
     * The cost of one decision in large workflows: a chain of {@code n} tasks and a fan-out of {@code n} tasks
     * (each reading one input field; every started task completes at once, in the order it started). Prints the
     * whole run, the decisions, the mean and the worst decision.
     */
    static void large(ExecutionDecider decider, int n) {
        for (String shape : List.of("chain", "fan-out")) {
            WorkflowDefinition small = TestDefinitions.workflow(largeWorkflow(shape, Math.max(10, n / 10)));
            drive(decider, small); // warm-up
            WorkflowDefinition wf = TestDefinitions.workflow(largeWorkflow(shape, n));
            long[] r = drive(decider, wf);
            System.out.printf("%-8s %,6d tasks: %,10.1f ms in all, %,6d decisions, %,10.1f us/decision mean,"
                    + " %,10.1f ms worst decision (the start: %,.1f ms), CPU time%n", shape, n, r[0] / 1e6, r[1],
                    r[0] / 1e3 / r[1], r[2] / 1e6, r[3] / 1e6);
        }
    }

    /**
     * Runs one execution; returns {total ns in decide+fold, decisions, worst decision ns, start decision ns}, in CPU
     * time of this thread (other processes on a shared machine do not inflate it).
     */
    private static final java.lang.management.ThreadMXBean CPU =
            java.lang.management.ManagementFactory.getThreadMXBean();

    public static long[] drive(ExecutionDecider decider, WorkflowDefinition wf) {
        Instant now = Instant.EPOCH;
        java.util.ArrayDeque<ExecutionEvent.TaskStarted> started = new java.util.ArrayDeque<>();
        ExecutionState s = ExecutionState.initial();
        ExecutionCommand command = new ExecutionCommand.Start("e-1", TestDefinitions.json("{'n': 1}"), now);
        long total = 0;
        long worst = 0;
        long first = -1;
        long decisions = 0;
        while (true) {
            long t0 = CPU.getCurrentThreadCpuTime();
            List<ExecutionEvent> events = decider.decide(command, s, wf);
            s = ExecutionEvolver.fold(s, events);
            long took = CPU.getCurrentThreadCpuTime() - t0;
            total += took;
            worst = Math.max(worst, took);
            first = first < 0 ? took : first;
            decisions++;
            for (ExecutionEvent e : events) {
                if (e instanceof ExecutionEvent.TaskStarted t) {
                    started.add(t);
                }
            }
            if (s.status().terminal()) {
                break;
            }
            ExecutionEvent.TaskStarted next = started.poll();
            if (next == null) {
                throw new IllegalStateException("Expected a running task in " + s.status() + " execution");
            }
            command = new ExecutionCommand.CompleteTask(next.taskId(), next.run(), next.attempt(),
                    TestDefinitions.json("{'v': 1}"), now);
        }
        if (s.status() != io.harmonia.domain.execution.ExecutionStatus.COMPLETED) {
            throw new IllegalStateException("Expected COMPLETED, found " + s.status());
        }
        return new long[] {total, decisions, worst, first};
    }

    /** A chain (t1 <- t2 <- ...) or a fan-out (n independent tasks) of echo tasks reading {@code input.n}. */
    public static String largeWorkflow(String shape, int n) {
        StringBuilder b = new StringBuilder("{'name': '" + shape + "', 'tasks': [");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ", ").append("{'id': 't").append(i)
                    .append("', 'component': 'core', 'action': 'echo', 'input': {'n': '${input.n}'}");
            if (shape.equals("chain") && i > 0) {
                b.append(", 'depends_on': ['t").append(i - 1).append("']");
            }
            b.append('}');
        }
        return b.append("]}").toString();
    }

    static String workflow(String w) {
        String echo = "'component': 'core', 'action': 'echo', 'input': {'n': '${input.n}'}";
        return switch (w) {
            case "W1" -> "{'name': 'w1', 'tasks': [{'id': 'a', " + echo + "}, {'id': 'b', " + echo
                    + ", 'depends_on': ['a']}, {'id': 'c', " + echo + ", 'depends_on': ['a']}, {'id': 'd', " + echo
                    + ", 'depends_on': ['a']}, {'id': 'e', " + echo + ", 'depends_on': ['b', 'c', 'd']}]}";
            case "W2" -> {
                StringBuilder b = new StringBuilder("{'name': 'w2', 'tasks': [");
                for (int i = 0; i < 10; i++) {
                    b.append(i == 0 ? "" : ", ").append("{'id': 't").append(i).append("', ").append(echo)
                            .append(i == 0 ? "" : ", 'depends_on': ['t" + (i - 1) + "']").append('}');
                }
                yield b.append("]}").toString();
            }
            default -> "{'name': 'w3', 'tasks': [{'id': 'only', " + echo + "}]}";
        };
    }
}
