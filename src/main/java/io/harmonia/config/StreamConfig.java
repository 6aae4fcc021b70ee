package io.harmonia.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Live streams of execution events (WebSocket {@code /ws/executions}, SSE {@code /events/executions}). */
@ConfigMapping(prefix = "harmonia.streams")
public interface StreamConfig {

    /**
     * Messages a subscriber may have waiting (accepted but not yet written to its connection). A subscriber that
     * falls this far behind is disconnected, with the sequence to resume from.
     */
    @WithDefault("1000")
    int bufferSize();

    /** How often the global feed is polled for events of other replicas (local appends wake it at once). */
    @WithDefault("50ms")
    Duration pollInterval();

    /** Events read from the global feed per query. */
    @WithDefault("1000")
    int feedBatchSize();

    /** Events read from the event store per page while a subscriber catches up (history, resume). */
    @WithDefault("500")
    int historyPageSize();

    /** Writes handed to one connection before the earlier ones are acknowledged. */
    @WithDefault("32")
    int maxInFlight();

    /** SSE: a comment line is sent this often so that proxies keep idle streams open. */
    @WithDefault("15s")
    Duration sseHeartbeat();

    /** A subscriber catching up (history, resume) that takes no message for this long is cut off. */
    @WithDefault("60s")
    Duration stallTimeout();

    /** A disconnected slow consumer whose connection does not close within this time is reset. */
    @WithDefault("10s")
    Duration closeTimeout();

    /** Executions whose workflow and status the feed follower remembers (to enrich events without a query). */
    @WithDefault("50000")
    int trackedExecutions();
}
