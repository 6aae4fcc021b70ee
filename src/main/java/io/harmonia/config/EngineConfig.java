package io.harmonia.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The execution engine: parallelism and payload limits. */
@ConfigMapping(prefix = "harmonia.engine")
public interface EngineConfig {

    /** How many tasks of one execution may run at once, unless the workflow sets {@code max_parallel_tasks}. */
    @WithDefault("16")
    int maxParallelTasks();

    /** The largest execution input accepted by POST /api/executions, in bytes (413 above). */
    @WithDefault("1048576")
    int maxExecutionInputBytes();

    /** The largest resolved task input, in bytes; above it the task fails with PAYLOAD_TOO_LARGE. */
    @WithDefault("1048576")
    int maxTaskInputBytes();

    /** The largest task output, in bytes; above it the task fails with PAYLOAD_TOO_LARGE. */
    @WithDefault("1048576")
    int maxTaskOutputBytes();
}
