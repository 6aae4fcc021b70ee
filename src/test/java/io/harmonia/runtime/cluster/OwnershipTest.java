package io.harmonia.runtime.cluster;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.harmonia.config.ClusterConfig;
import io.harmonia.eventstore.PartitionLeases;
import io.harmonia.eventstore.StoreAvailability;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The service's own replica and replicas made in the test share the test database: the single replica owns every
 * partition; a joining replica gets its share by clean handovers and hands it back when it shuts down; a killed
 * replica's partitions are taken over (not clean) once its heartbeat and leases have expired.
 */
@QuarkusTest
class OwnershipTest {
    private static final int P = 64;

    @Inject
    Ownership ownership;

    @Inject
    PartitionLeases leases;

    @Inject
    StoreAvailability availability;

    @Inject
    Vertx vertx;

    @Inject
    Pool pool;

    @Inject
    MeterRegistry metrics;

    record Config(Optional<String> replicaId, Duration lease, Duration renewInterval) implements ClusterConfig {
        @Override
        public int partitions() {
            return P;
        }

        @Override
        public Duration handoverTimeout() {
            return Duration.ofSeconds(5);
        }

        @Override
        public boolean rebalance() {
            return true;
        }
    }

    /** Records every call, and fails the test's expectations when two calls for one partition overlap. */
    static final class Recording implements PartitionListener {
        final List<String> calls = new ArrayList<>();
        final Map<Integer, Boolean> holding = new HashMap<>();
        final List<Handover> handovers = new ArrayList<>();
        final List<String> violations = new ArrayList<>();
        final java.util.Set<Integer> failOnce = new java.util.HashSet<>();

        @Override
        public synchronized Uni<Void> acquired(int partition, long epoch, Handover handover) {
            calls.add("acquired " + partition + "@" + epoch);
            handovers.add(handover);
            if (Boolean.TRUE.equals(holding.put(partition, true))) {
                violations.add("acquired " + partition + " twice");
            }
            if (failOnce.remove(partition)) {
                return Uni.createFrom().failure(new IllegalStateException("test: cannot take up " + partition));
            }
            return Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(20));
        }

        @Override
        public synchronized void lost(int partition) {
            calls.add("lost " + partition);
            if (!Boolean.TRUE.equals(holding.put(partition, false))) {
                violations.add("lost " + partition + " not held");
            }
        }

        @Override
        public synchronized Uni<Handover> release(int partition) {
            calls.add("release " + partition);
            return Uni.createFrom().item(new Handover(true, List.of(
                    new Handover.Attempt("00000000-0000-0000-0000-00000000000" + (partition % 10), "t", 1, 1))));
        }
    }

    @Inject
    io.harmonia.config.StoreConfig storeConfig;

    private Ownership replica(String id, Duration lease, Duration renew, Recording listener) {
        return replica(id, lease, renew, listener, availability);
    }

    private Ownership replica(String id, Duration lease, Duration renew, Recording listener,
            StoreAvailability store) {
        Ownership o = new Ownership(leases, new Config(Optional.of(id), lease, renew), store, vertx,
                new SimpleMeterRegistry());
        o.listen(listener);
        o.start();
        return o;
    }

    private Map<String, Integer> ownersInTable() {
        Map<String, Integer> owners = new HashMap<>();
        pool.query("select owner from partitions").execute().await().atMost(Duration.ofSeconds(5))
                .forEach(r -> owners.merge(String.valueOf(r.getString(0)), 1, Integer::sum));
        return owners;
    }

    @Test
    void theSingleReplicaOwnsEveryPartitionAndApiClusterShowsIt() {
        await().atMost(Duration.ofSeconds(15)).until(() -> ownership.owned().size() == P);
        assertThat(ownership.partitions()).isEqualTo(P);
        assertThat(ownership.epoch(0)).isPositive();
        assertThat(ownership.epoch(P)).isEqualTo(-1);
        int first = ownership.ownedPartitionFor(0);
        assertThat(first).isBetween(0, P - 1);
        assertThat(ownership.ownedPartitionFor(0)).isNotEqualTo(first); // round-robin

        JsonPath cluster = given().get("/api/cluster").then().statusCode(200).extract().jsonPath();
        assertThat(cluster.getString("replica_id")).isEqualTo(ownership.replicaId());
        assertThat(cluster.getInt("partition_count")).isEqualTo(P);
        assertThat(cluster.getList("partitions.owner", String.class)).hasSize(P)
                .containsOnly(ownership.replicaId());
        assertThat(cluster.getList("partitions.epoch", Long.class)).allSatisfy(e -> assertThat(e).isPositive());
        assertThat(cluster.getList("partitions.lease_until", String.class)).doesNotContainNull();
        assertThat(cluster.getInt("replicas.find { it.replica_id == '" + ownership.replicaId()
                + "' }.partitions_owned")).isEqualTo(P);
        assertThat(cluster.getBoolean("replicas.find { it.replica_id == '" + ownership.replicaId()
                + "' }.draining")).isFalse();

        JsonPath ready = given().get("/q/health/ready").then().extract().jsonPath();
        assertThat(ready.getString("checks.find { it.name == 'partition ownership' }.status")).isEqualTo("UP");
        assertThat(ready.getInt("checks.find { it.name == 'partition ownership' }.data.owned")).isEqualTo(P);
    }

    @Test
    void aJoiningReplicaGetsItsShareByCleanHandoversAndGivesItBackWhenItShutsDown() {
        await().atMost(Duration.ofSeconds(15)).until(() -> ownership.owned().size() == P);
        Recording second = new Recording();
        long t0 = System.nanoTime();
        Ownership joining = replica("joining-" + System.nanoTime(), Duration.ofSeconds(10), Duration.ofMillis(500),
                second);
        assertThat(joining.status().ready()).as("not ready before it has its share").isFalse();
        try {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> joining.owned().size() == P / 2 && ownership.owned().size() == P / 2);
        } catch (RuntimeException | AssertionError e) {
            joining.drain();
            throw e;
        }
        System.out.printf("a joining replica had its share (%d partitions) after %d ms%n", P / 2,
                (System.nanoTime() - t0) / 1_000_000);
        assertThat(joining.status().ready()).isTrue();
        assertThat(ownersInTable()).containsOnly(Map.entry(ownership.replicaId(), P / 2),
                Map.entry(joining.replicaId(), P / 2));
        synchronized (second) {
            assertThat(second.handovers).hasSize(P / 2).allSatisfy(h -> assertThat(h.clean()).isTrue());
        }
        for (int p : joining.owned()) {
            assertThat(ownership.owns(p)).isFalse();
            assertThat(ownership.epoch(p)).isEqualTo(-1);
            assertThat(joining.epoch(p)).isPositive();
        }

        long d0 = System.nanoTime();
        joining.drain();
        long drainMs = (System.nanoTime() - d0) / 1_000_000;
        System.out.printf("the joining replica handed %d partitions back in %d ms%n", P / 2, drainMs);
        assertThat(joining.owned()).isEmpty();
        assertThat(joining.status().ready()).isFalse();
        synchronized (second) {
            assertThat(second.calls.stream().filter(c -> c.startsWith("release"))).hasSize(P / 2);
            assertThat(second.calls.stream().filter(c -> c.startsWith("lost"))).hasSize(P / 2);
            assertThat(second.violations).isEmpty();
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> ownership.owned().size() == P);
        assertThat(ownersInTable()).containsOnly(Map.entry(ownership.replicaId(), P));
    }

    @Test
    void aPartitionTheListenerCannotTakeUpIsReleasedAndClaimedAgainLater() {
        await().atMost(Duration.ofSeconds(15)).until(() -> ownership.owned().size() == P);
        Recording listener = new Recording();
        listener.failOnce.add(40);
        Ownership joining = replica("failing-" + System.nanoTime(), Duration.ofSeconds(10), Duration.ofMillis(300),
                listener);
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> joining.owned().size() == P / 2 && joining.owns(40));
        } finally {
            joining.drain();
        }
        synchronized (listener) {
            List<String> about40 = listener.calls.stream().filter(c -> c.matches("\\w+ 40(@.*)?")).toList();
            assertThat(about40.size()).isGreaterThanOrEqualTo(3); // then the release and loss of the drain
            assertThat(about40.get(1)).isEqualTo("lost 40");
            long first = Long.parseLong(about40.get(0).substring("acquired 40@".length()));
            assertThat(about40.get(2)).isEqualTo("acquired 40@" + (first + 1));
            assertThat(listener.violations).isEmpty();
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> ownership.owned().size() == P);
    }

    @Test
    void afterAPostgresOutageExpiredLeasesOfOthersAreLeftAloneForTwoRenewIntervals() {
        await().atMost(Duration.ofSeconds(15)).until(() -> ownership.owned().size() == P);
        Ownership doomed = replica("stale-" + System.nanoTime(), Duration.ofSeconds(1), Duration.ofMillis(200),
                new Recording());
        await().atMost(Duration.ofSeconds(20)).until(() -> doomed.owned().size() == P / 2);
        java.util.Set<Integer> stale = doomed.owned();
        doomed.halt(); // its leases expire after 1 s; the others count it live for their lease (10 s)

        // a replica whose view of Postgres has just been an outage (its own StoreAvailability, probing every 1 s)
        StoreAvailability store = new StoreAvailability(pool, vertx, storeConfig, java.time.Clock.systemUTC(),
                new SimpleMeterRegistry());
        store.failed(new io.harmonia.eventstore.StoreUnavailable("test", "an outage", Duration.ofSeconds(1)));
        Recording listener = new Recording();
        Ownership back = replica("back-" + System.nanoTime(), Duration.ofSeconds(10), Duration.ofSeconds(1),
                listener, store);
        try {
            await().atMost(Duration.ofSeconds(10)).until(store::available);
            // live: the service's replica, the stale one, this one: share 22. For two renew intervals (2 s) after
            // its first round back it may take free partitions (the service's replica gives some away) but none
            // of the stale one's expired leases; then it does
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
                    .until(() -> back.owned().stream().noneMatch(stale::contains));
            await().atMost(Duration.ofSeconds(10)).until(() -> back.owned().stream().anyMatch(stale::contains));
            synchronized (listener) {
                assertThat(listener.violations).isEmpty();
            }
        } finally {
            back.drain();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> ownership.owned().size() == P);
    }

    @Test
    void aKilledReplicasPartitionsAreTakenOverOnceItsLeasesExpire() {
        await().atMost(Duration.ofSeconds(15)).until(() -> ownership.owned().size() == P);
        Recording listener = new Recording();
        Ownership doomed = replica("doomed-" + System.nanoTime(), Duration.ofSeconds(2), Duration.ofMillis(300),
                listener);
        await().atMost(Duration.ofSeconds(20)).until(() -> doomed.owned().size() == P / 2);
        double unclean = metrics.counter("harmonia.partitions.acquired", "clean", "false").count();

        doomed.halt(); // as kill -9: no handover, its leases and heartbeat just stop
        long t0 = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).until(() -> ownership.owned().size() == P);
        System.out.printf("a killed replica's partitions were taken over after %d ms%n",
                (System.nanoTime() - t0) / 1_000_000);
        assertThat(metrics.counter("harmonia.partitions.acquired", "clean", "false").count() - unclean)
                .isEqualTo(P / 2);
        assertThat(ownersInTable()).containsOnly(Map.entry(ownership.replicaId(), P));
        synchronized (listener) {
            assertThat(listener.violations).isEmpty();
        }
    }
}
