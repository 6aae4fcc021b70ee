package io.harmonia.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** An execution's state, checkpoints, replays and re-runs. */
@ConfigMapping(prefix = "harmonia.history")
public interface HistoryConfig {

    /**
     * The largest global state of one execution, in bytes: a task whose state mapping would grow it beyond fails
     * with PAYLOAD_TOO_LARGE; PUT/PATCH /api/state is refused (413).
     */
    @WithDefault("1048576")
    int maxStateBytes();

    /** A checkpoint is taken automatically when this many events followed the last one; 0 turns it off. */
    @WithDefault("500")
    int checkpointEveryEvents();

    /** Bulk replays: executions replayed or re-run per second, over all jobs of one replica. */
    @WithDefault("50")
    double bulkRate();

    /** Bulk replays: the most executions one job may touch. */
    @WithDefault("100000")
    int bulkMaxExecutions();

    /** Bulk replays: how long a replica's claim on a job lasts without renewal (another replica resumes it then). */
    @WithDefault("30s")
    Duration bulkJobLease();

    /**
     * GET /api/executions/{id}/verify: the longest history verified (events); a longer one is refused with 422.
     * Verifying costs one decision per stored decision, on a worker thread, with the history held in memory.
     */
    @WithDefault("100000")
    int verifyMaxEvents();

    /** Bulk replays: how many items of a job one replica works on at the same time (within bulk-rate). */
    @WithDefault("4")
    int bulkConcurrency();

    /** Bulk replays: how often an idle replica looks for a job to run (or to resume after another's lease passed). */
    @WithDefault("1s")
    Duration bulkPollInterval();
}
