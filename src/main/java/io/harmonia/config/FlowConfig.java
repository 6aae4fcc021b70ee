package io.harmonia.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The workflow language's control flow: loops, for_each and sub-workflows. */
@ConfigMapping(prefix = "harmonia.flow")
public interface FlowConfig {

    /**
     * How many runs one step (or task) may have in one execution unless the step or its workflow sets
     * {@code max_iterations}: the run beyond fails it with ITERATION_LIMIT_EXCEEDED.
     */
    @WithDefault("1000")
    int maxIterations();

    /** The longest list one for_each may fan out over; a longer one fails its task with PAYLOAD_TOO_LARGE. */
    @WithDefault("10000")
    int maxItems();

    /** How deeply sub-workflows (workflow.run) may nest; a deeper child fails its task with DEPTH_EXCEEDED. */
    @WithDefault("10")
    int maxDepth();
}
