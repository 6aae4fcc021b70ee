package io.harmonia.domain.execution;

/**
 * Limits of the workflow language's control flow (configuration {@code harmonia.flow.*}).
 *
 * @param maxIterations how many runs one step (or task) may have in one execution when neither it nor its workflow
 *     sets {@code max_iterations}: the run beyond fails it with {@code ITERATION_LIMIT_EXCEEDED}
 * @param maxItems the longest list a for_each may fan out over: a longer one fails its task with
 *     {@code PAYLOAD_TOO_LARGE}
 * @param maxDepth how deeply sub-workflows may nest: a {@code workflow.run} that would start a child deeper fails
 *     with {@code DEPTH_EXCEEDED}
 */
public record FlowLimits(int maxIterations, int maxItems, int maxDepth) {

    public static final FlowLimits DEFAULTS = new FlowLimits(1000, 10_000, 10);
}
