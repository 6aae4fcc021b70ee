package io.harmonia.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.harmonia.bench.CoreBenchmark;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.ExecutionDecider;
import io.harmonia.domain.execution.Limits;
import org.junit.jupiter.api.Test;

/**
 * Given a workflow of 5,000 tasks (a chain, a fan-out), when it runs to completion, then its decisions cost
 * O(tasks they touch), not O(all tasks): the whole run stays far below what O(n²) costs (tens of seconds before).
 * Budgets are CPU time of the test thread, ~20x above what a run measures, so a loaded machine does not fail them.
 */
class LargeExecutionTest {
    static final int N = 5_000;
    final ExecutionDecider decider = new ExecutionDecider(TestDefinitions.CEL, Limits.defaults());

    @Test
    void aChainOf5000TasksRunsInLinearTime() {
        assertLinear("chain");
    }

    @Test
    void aFanOutOf5000TasksRunsInLinearTime() {
        assertLinear("fan-out");
    }

    private void assertLinear(String shape) {
        WorkflowDefinition wf = TestDefinitions.workflow(CoreBenchmark.largeWorkflow(shape, N));
        CoreBenchmark.drive(decider, TestDefinitions.workflow(CoreBenchmark.largeWorkflow(shape, 200))); // warm-up
        long[] run = CoreBenchmark.drive(decider, wf); // {cpu ns, decisions, worst ns, start ns}
        assertThat(run[1]).isEqualTo(N + 1);
        assertThat(run[0] / 1_000_000).as("CPU ms for all %d decisions of the %s", N + 1, shape).isLessThan(3_000);
        assertThat(run[2] / 1_000_000).as("CPU ms of the worst decision of the %s", shape).isLessThan(1_500);
    }
}
