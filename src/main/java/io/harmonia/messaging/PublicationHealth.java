package io.harmonia.messaging;

import io.harmonia.config.KafkaConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness of Kafka publication ({@code harmonia-kafka-relay}). A short Kafka outage is not an outage: the check
 * stays UP and reports the lag, and flow control (429 on new executions) protects the backlog. It goes DOWN when the
 * relay cannot make progress: events have waited longer than {@code harmonia.kafka.relay.stall-timeout} and the
 * relay's cursor has not moved for that long.
 */
@Readiness
@ApplicationScoped
public class PublicationHealth implements HealthCheck {
    private final PublicationLag lag;
    private final EventRelay relay;
    private final KafkaConfig config;

    public PublicationHealth(PublicationLag lag, EventRelay relay, KafkaConfig config) {
        this.lag = lag;
        this.relay = relay;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        boolean enabled = config.enabled() && config.relay().enabled();
        boolean stalled = lag.stalled();
        return HealthCheckResponse.named("harmonia-kafka-relay").status(!stalled)
                .withData("enabled", enabled)
                .withData("status", !enabled ? "disabled" : stalled ? "stalled" : "publishing")
                .withData("seconds_since_progress", (long) Math.floor(lag.secondsSinceProgress()))
                .withData("stall_timeout_seconds", config.relay().stallTimeout().toSeconds())
                .withData("publishing_replica", relay.leader())
                .withData("lag_events", lag.events())
                .withData("lag_seconds", (long) Math.ceil(lag.seconds()))
                .withData("max_lag_events", config.relay().maxLagEvents())
                .withData("accepting_executions", !lag.overBound())
                .build();
    }
}
