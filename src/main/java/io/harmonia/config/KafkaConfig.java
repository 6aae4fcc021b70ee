package io.harmonia.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Kafka publication and external workers. The connection itself (bootstrap servers, SASL, TLS) is the global
 * {@code kafka.*} configuration ({@code KAFKA_BOOTSTRAP_SERVERS}, {@code KAFKA_SECURITY_PROTOCOL}, ...), shared
 * with the consumers.
 */
@ConfigMapping(prefix = "harmonia.kafka")
public interface KafkaConfig {

    /** The topic every event is published to. */
    @WithDefault("harmonia.events")
    String eventsTopic();

    /** Task requests for worker component {@code c} go to {@code <prefix><c>}. */
    @WithDefault("harmonia.tasks.")
    String tasksTopicPrefix();

    /** CloudEvent {@code source} of everything Harmonia publishes. */
    @WithDefault("/harmonia")
    String source();

    /** The outbox relay. */
    Relay relay();

    /** Worker components by name: tasks of these components are done by external workers over Kafka. */
    Map<String, Worker> workers();

    interface Relay {
        /** Publish events to Kafka. Off: events stay in Postgres only. */
        @WithDefault("true")
        boolean enabled();

        /** Events read from the feed and published per round. */
        @WithDefault("500")
        int batchSize();

        /** How long the relay waits for new events when it is idle (it is also woken by every append). */
        @WithDefault("200ms")
        Duration idlePoll();

        /** When unpublished events exceed this, new executions are refused with 429 (flow control). */
        @WithDefault("100000")
        long maxLagEvents();

        /** How often the publication lag is measured. */
        @WithDefault("1s")
        Duration lagInterval();
    }

    interface Worker {
        /** The actions this worker component offers. */
        List<String> actions();
    }
}
