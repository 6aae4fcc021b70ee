package io.harmonia.messaging;

import io.harmonia.config.KafkaConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness details of Kafka publication. Kafka being down is not an outage: the check stays UP and reports the lag;
 * flow control (429 on new executions) protects the backlog.
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
        return HealthCheckResponse.named("Kafka event publication").up()
                .withData("enabled", config.relay().enabled())
                .withData("publishing_replica", relay.leader())
                .withData("lag_events", lag.events())
                .withData("lag_seconds", (long) Math.ceil(lag.seconds()))
                .withData("max_lag_events", config.relay().maxLagEvents())
                .withData("accepting_executions", !lag.overBound())
                .build();
    }
}
