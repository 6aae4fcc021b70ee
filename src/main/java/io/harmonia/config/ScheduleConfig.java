package io.harmonia.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Schedules (cron): how their owner finds fires, and the limits of a schedule's spec and view. */
@ConfigMapping(prefix = "harmonia.schedules")
public interface ScheduleConfig {

    /**
     * How often each replica reads the schedules of the partitions it owns whose next fire falls within
     * {@link #horizon()} (it arms an in-memory timer for each) or that have a buffered fire to release; also the
     * latest a new owner catches up after a takeover. 0 turns the schedule runner off on this replica.
     */
    @WithDefault("1s")
    Duration scanInterval();

    /** How far ahead a scan arms in-memory timers for fires; later fires wait in their rows. */
    @WithDefault("10s")
    Duration horizon();

    /** The catch-up window of a schedule whose spec gives none. */
    @WithDefault("PT1M")
    Duration defaultCatchupWindow();

    /** The largest catch-up window a spec may ask for. */
    @WithDefault("P7D")
    Duration maxCatchupWindow();

    /** How many next fire times a schedule's view lists. */
    @WithDefault("5")
    int nextFireTimes();

    /** The most cron fires one schedule runs in one round (a round follows at once while more are due). */
    @WithDefault("100")
    int maxFiresPerRound();

    /** The most missed fires counted in one ScheduleMissed event (a longer outage gives several events). */
    @WithDefault("10000")
    int maxMissedPerEvent();

    /** The most schedules that are not deleted; a create beyond is refused (409). */
    @WithDefault("10000")
    int maxSchedules();
}
