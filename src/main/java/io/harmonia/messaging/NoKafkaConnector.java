package io.harmonia.messaging;

import io.smallrye.mutiny.Multi;
import io.smallrye.reactive.messaging.connector.InboundConnector;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.Flow;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.spi.Connector;

/**
 * The connector of the task-results channel when Kafka is disabled ({@code harmonia.kafka.enabled=false}, see
 * {@code KafkaSwitchConfigSourceFactory}): it delivers nothing and connects to nothing. Disabling the channel
 * instead would leave {@link TaskResultsConsumer} without upstream (warning SRMSG00207).
 */
@ApplicationScoped
@Connector(NoKafkaConnector.NAME)
public class NoKafkaConnector implements InboundConnector {
    public static final String NAME = "harmonia-no-kafka";

    @Override
    public Flow.Publisher<? extends Message<?>> getPublisher(Config config) {
        return Multi.createFrom().nothing();
    }
}
