package io.harmonia.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The runtime on each replica: which executions it holds in memory and when it takes them up. */
@ConfigMapping(prefix = "harmonia.runtime")
public interface RuntimeConfig {

    /**
     * How often a replica looks, in the partitions it owns, for executions to take up: timers falling due within
     * {@link #timerHorizon()} and executions that nothing drives.
     */
    @WithDefault("5s")
    Duration scanInterval();

    /**
     * Timers due within this horizon are armed in memory; an execution whose next timer is further away (and that has
     * nothing running) is evicted from memory and costs only its row until its timer comes near.
     */
    @WithDefault("60s")
    Duration timerHorizon();

    /**
     * An unfinished execution with something to do that has been unchanged this long and is not held in memory is
     * taken up by its owner (e.g. a start whose answer was lost in a database outage).
     */
    @WithDefault("10s")
    Duration idleBeforeTakeUp();

    /** An execution held in memory with nothing running and no timer within the horizon is evicted after this. */
    @WithDefault("10s")
    Duration evictIdleAfter();

    /** Executions taken up at once when a partition is acquired. */
    @WithDefault("16")
    int takeUpConcurrency();
}
