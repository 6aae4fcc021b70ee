package io.harmonia.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Event triggers: Kafka consumers and HTTP fires that start executions or deliver signals. */
@ConfigMapping(prefix = "harmonia.triggers")
public interface TriggerConfig {

    /** Run the Kafka consumers of Kafka triggers on this replica (also needs {@code harmonia.kafka.enabled}). */
    @WithDefault("true")
    boolean enabled();

    /** How often a replica reads the triggers table to start, restart or stop its consumers. */
    @WithDefault("2s")
    Duration refreshInterval();

    /** How long one {@code poll} of a trigger's consumer waits for records. */
    @WithDefault("500ms")
    Duration pollTimeout();

    /** Records per poll ({@code max.poll.records}): they are started together, then their offsets committed. */
    @WithDefault("500")
    int maxRecordsPerPoll();

    /** Triggers that may exist at once (not deleted); a create beyond it is refused. */
    @WithDefault("1000")
    int maxTriggers();

    /** The largest body {@code POST /api/triggers/{id}/fire} accepts (413 above). */
    @WithDefault("1048576")
    int maxFireBodyBytes();

    /** The first wait before a batch whose starts failed (e.g. Postgres down) is tried again; it doubles. */
    @WithDefault("200ms")
    Duration retryInitialDelay();

    /** The longest wait between two tries of a failing batch. */
    @WithDefault("5s")
    Duration retryMaxDelay();

    /** How long a batch's starts may take before they count as failed and the batch is tried again. */
    @WithDefault("60s")
    Duration batchTimeout();
}
