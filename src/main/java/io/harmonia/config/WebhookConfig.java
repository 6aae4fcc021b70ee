package io.harmonia.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Webhook subscriptions: events POSTed as CloudEvents to subscribers' URLs. */
@ConfigMapping(prefix = "harmonia.webhooks")
public interface WebhookConfig {

    /** Deliver webhooks from this replica (when it holds the delivery lock). Off: subscriptions are only stored. */
    @WithDefault("true")
    boolean enabled();

    /** CloudEvent {@code source} of delivered events. */
    @WithDefault("/harmonia")
    String source();

    /** How often an idle subscription looks for new events (local appends wake it at once). */
    @WithDefault("500ms")
    Duration pollInterval();

    /** How often the delivering replica looks for created or deleted subscriptions of other replicas. */
    @WithDefault("2s")
    Duration rescanInterval();

    /** Events read from the global feed per query, per subscription. */
    @WithDefault("200")
    int batchSize();

    /** The delay before the first retry of a failed delivery. */
    @WithDefault("1s")
    Duration initialRetryDelay();

    /** Each further retry waits this many times longer. */
    @WithDefault("2")
    double backoffFactor();

    /** The longest wait between two attempts. */
    @WithDefault("5m")
    Duration maxRetryDelay();

    /** A delivery that has not answered within this time failed (and is retried). */
    @WithDefault("10s")
    Duration requestTimeout();

    /** Connections kept per receiving host. */
    @WithDefault("8")
    int maxConnectionsPerHost();
}
