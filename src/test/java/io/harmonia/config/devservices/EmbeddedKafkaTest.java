package io.harmonia.config.devservices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigValue;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.Test;

/**
 * The embedded Kafka of the dev and test profiles: the application boots against it, records go through it, and a
 * broker stopped in the middle of a run comes back on the same address with its data.
 */
@QuarkusTest
class EmbeddedKafkaTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void theApplicationIsConfiguredWithTheSharedBroker() {
        assumeTrue(System.getenv(EmbeddedKafkaConfigSourceFactory.ENV_BOOTSTRAP_SERVERS) == null, "external Kafka");
        EmbeddedKafka kafka = EmbeddedKafka.shared();
        assertThat(bootstrap).isEqualTo(kafka.bootstrapServers()).isEqualTo("localhost:" + kafka.port());
        assertThat(EmbeddedKafka.shared()).isSameAs(kafka);
    }

    @Test
    void aStoppedBrokerComesBackOnTheSameAddressWithItsData() throws Exception {
        assumeTrue(System.getenv(EmbeddedKafkaConfigSourceFactory.ENV_BOOTSTRAP_SERVERS) == null, "external Kafka");
        EmbeddedKafka kafka = EmbeddedKafka.shared();
        String topic = "embedded-kafka-test-" + UUID.randomUUID();

        try (KafkaProducer<String, String> producer = producer(Map.of())) {
            RecordMetadata sent = producer.send(new ProducerRecord<>(topic, "key", "before")).get(30, TimeUnit.SECONDS);
            assertThat(sent.topic()).isEqualTo(topic);
        }
        assertThat(readAll(topic, 1)).containsExactly("before");

        kafka.stopBroker();
        try {
            assertThat(kafka.isBrokerRunning()).isFalse();
            assertThat(catchThrowable(() -> new Socket("localhost", kafka.port()).close()))
                    .isInstanceOf(ConnectException.class);
            try (KafkaProducer<String, String> producer = producer(Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, "1000",
                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "1000", ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                    "1500"))) {
                Throwable failure = catchThrowable(
                        () -> producer.send(new ProducerRecord<>(topic, "key", "lost")).get(30, TimeUnit.SECONDS));
                assertThat(failure instanceof ExecutionException ? failure.getCause() : failure)
                        .isInstanceOf(TimeoutException.class);
                producer.close(Duration.ZERO);
            }
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                Throwable failure = catchThrowable(() -> admin.describeCluster(
                        new DescribeClusterOptions().timeoutMs(1000)).clusterId().get(30, TimeUnit.SECONDS));
                assertThat(failure).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);
            }
        } finally {
            kafka.startBroker();
        }

        assertThat(kafka.isBrokerRunning()).isTrue();
        assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
        assertThat(readAll(topic, 1)).containsExactly("before");
        try (KafkaProducer<String, String> producer = producer(Map.of())) {
            producer.send(new ProducerRecord<>(topic, "key", "after")).get(30, TimeUnit.SECONDS);
        }
        assertThat(readAll(topic, 2)).containsExactly("before", "after");
    }

    @Test
    void theFactoryStartsNothingOutsideDevAndTest() {
        EmbeddedKafkaConfigSourceFactory factory = new EmbeddedKafkaConfigSourceFactory(name -> null);
        assertThat(factory.getConfigSources(context(List.of("prod"), Map.of()))).isEmpty();
        assertThat(factory.getConfigSources(context(List.of("staging"), Map.of()))).isEmpty();
    }

    @Test
    void theFactoryKeepsAConfiguredKafkaAndCanBeDisabled() {
        EmbeddedKafkaConfigSourceFactory factory = new EmbeddedKafkaConfigSourceFactory(name -> null);
        assertThat(factory.getConfigSources(
                context(List.of("test"), Map.of("kafka.bootstrap.servers", "kafka.example:9092")))).isEmpty();
        assertThat(factory.getConfigSources(
                context(List.of("dev"), Map.of("harmonia.dev-services.kafka.enabled", "false")))).isEmpty();
    }

    @Test
    void theFactoryUsesTheKafkaNamedInTheEnvironment() {
        EmbeddedKafkaConfigSourceFactory factory = new EmbeddedKafkaConfigSourceFactory(
                name -> EmbeddedKafkaConfigSourceFactory.ENV_BOOTSTRAP_SERVERS.equals(name) ? "kafka.example:9092" : null);
        List<ConfigSource> sources = list(factory.getConfigSources(context(List.of("test"), Map.of())));
        assertThat(sources).singleElement().satisfies(source -> {
            assertThat(source.getOrdinal()).isEqualTo(EmbeddedKafkaConfigSourceFactory.ORDINAL);
            assertThat(source.getProperties()).containsExactly(Map.entry("kafka.bootstrap.servers", "kafka.example:9092"));
        });
    }

    @Test
    void theFactoryPointsAtTheSharedBrokerAndQuietsItsLogs() {
        EmbeddedKafkaConfigSourceFactory factory = new EmbeddedKafkaConfigSourceFactory(name -> null);
        List<ConfigSource> sources = list(factory.getConfigSources(
                context(List.of("test"), Map.of("quarkus.log.category.\"kafka\".level", "INFO"))));
        assertThat(sources).singleElement().satisfies(source -> assertThat(source.getProperties())
                .containsEntry("kafka.bootstrap.servers", EmbeddedKafka.shared().bootstrapServers())
                .containsEntry("quarkus.log.category.\"org.apache.kafka\".level", "WARN")
                .doesNotContainKey("quarkus.log.category.\"kafka\".level"));
    }

    private KafkaProducer<String, String> producer(Map<String, String> overrides) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.putAll(overrides);
        return new KafkaProducer<>(p);
    }

    /** Every value of the topic from the beginning, once there are {@code expected} of them. */
    private List<String> readAll(String topic, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<String> values = Collections.synchronizedList(new ArrayList<>());
            await().atMost(Duration.ofSeconds(30)).pollInSameThread().pollInterval(Duration.ofMillis(50)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
                return values.size() >= expected;
            });
            return List.copyOf(values);
        }
    }

    private static List<ConfigSource> list(Iterable<ConfigSource> sources) {
        return StreamSupport.stream(sources.spliterator(), false).toList();
    }

    private static ConfigSourceContext context(List<String> profiles, Map<String, String> values) {
        Map<String, String> copy = new HashMap<>(values);
        return new ConfigSourceContext() {
            @Override
            public ConfigValue getValue(String name) {
                String v = copy.get(name);
                return v == null ? null : ConfigValue.builder().withName(name).withValue(v)
                        .withConfigSourceName("test").withConfigSourceOrdinal(250).build();
            }

            @Override
            public Iterator<String> iterateNames() {
                return copy.keySet().iterator();
            }

            @Override
            public List<String> getProfiles() {
                return profiles;
            }
        };
    }
}
