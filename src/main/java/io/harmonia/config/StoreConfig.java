package io.harmonia.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How the service behaves while Postgres cannot be reached. */
@ConfigMapping(prefix = "harmonia.store")
public interface StoreConfig {

    /** During an outage, how often one probe query checks whether Postgres is back. */
    @WithDefault("1s")
    Duration probeInterval();

    /** The {@code Retry-After} given with a 503 while Postgres cannot be reached. */
    @WithDefault("5s")
    Duration retryAfter();

    /** Before a failed write that did not mean an outage is tried again (task results, timers). */
    @WithDefault("200ms")
    Duration retryPause();

    /**
     * How long a request waits for its execution's earlier work before it is answered 503 (e.g. a pause behind
     * a task result that waits for Postgres); the request is then not carried out.
     */
    @WithDefault("5s")
    Duration requestTimeout();
}
