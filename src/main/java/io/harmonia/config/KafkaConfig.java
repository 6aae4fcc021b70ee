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

    /**
     * Use Kafka at all ({@code HARMONIA_KAFKA_ENABLED}). Off: no relay, no task-results consumer, no topic creation,
     * no Kafka client and no connection attempt; events stay in Postgres (read them over the API) and tasks of
     * worker components fail with a clear, non-retryable error. On (the default): production needs
     * {@code KAFKA_BOOTSTRAP_SERVERS} and fails at start without it.
     */
    @WithDefault("true")
    boolean enabled();

    /** Create the topics Harmonia uses at start (events, worker topics, task results and its dead-letter topic). */
    @WithDefault("true")
    boolean createTopics();

    /** Partitions of the topics Harmonia creates (existing topics are left as they are). */
    @WithDefault("3")
    int topicPartitions();

    /** Replication factor of the topics Harmonia creates; -1 takes the broker's {@code default.replication.factor}. */
    @WithDefault("-1")
    short topicReplicationFactor();

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

        /**
         * The largest event record (value, key and CloudEvent headers, in bytes) published as it is. A larger event
         * is published as a reference record (claim check): the same CloudEvent attributes, a {@code dataref}
         * extension and a small JSON body naming the API address that serves the event. Must not exceed the
         * producer's {@code max.request.size} ({@code kafka.max.request.size}, 1048576 unless set) nor the broker's
         * or topic's {@code max.message.bytes}; a record the broker still refuses as too large gets the reference
         * record too.
         */
        @WithDefault("1040384")
        int maxRecordBytes();

        /**
         * Readiness goes DOWN when events have been waiting this long and the relay's cursor has not moved for this
         * long either (Kafka unreachable or refusing every record). {@code 0s}: never.
         */
        @WithDefault("60s")
        Duration stallTimeout();
    }

    interface Worker {
        /** The actions this worker component offers. */
        List<String> actions();
    }
}
