package io.harmonia.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.harmonia.eventstore.PartitionLeases.Claimed;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Partition leases on a database of their own: claims, renewals, releases with handovers, two replicas competing,
 * expiry, and the fence an append runs in its transaction.
 */
@QuarkusTest
class PartitionLeasesTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final int P = 8;

    @Inject
    Pool mainPool;

    @Inject
    Vertx vertx;

    Pool pool;
    PartitionLeases leases;

    @BeforeEach
    void freshTables() throws Exception {
        pool = ScratchDatabase.create(mainPool, vertx, "leases_test", "V6__cluster.sql");
        leases = new PartitionLeases(pool);
        leases.ensure(P).await().atMost(WAIT);
    }

    @AfterEach
    void close() {
        pool.close().await().atMost(WAIT);
    }

    private List<Claimed> claim(String replica, int n, Duration lease, boolean takeExpired) {
        return leases.claim(replica, n, lease, takeExpired, Set.of()).await().atMost(WAIT);
    }

    private static Map<Integer, Long> epochs(List<Claimed> claimed) {
        Map<Integer, Long> m = new HashMap<>();
        claimed.forEach(c -> m.put(c.partition(), c.epoch()));
        return m;
    }

    private Map<Integer, String> owners() {
        Map<Integer, String> m = new HashMap<>();
        pool.query("select partition, owner from partitions").execute().await().atMost(WAIT)
                .forEach(r -> m.put(r.getInteger(0), r.getString(1)));
        return m;
    }

    @Test
    void theRowsAreMadeOnceAndAnotherPartitionCountIsRefused() {
        leases.ensure(P).await().atMost(WAIT); // a second start with the same count is fine
        assertThat(owners()).hasSize(P);
        assertThatThrownBy(() -> leases.ensure(16).await().atMost(WAIT))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Expected 16 partitions (harmonia.cluster.partitions), found 8")
                .hasMessageContaining("harmonia.cluster.partitions=8");
    }

    @Test
    void claimRenewReleaseAndTheHandoverIsReadOnce() {
        List<Claimed> a = claim("a", 3, LEASE, true);
        assertThat(a).extracting(Claimed::partition).containsExactly(0, 1, 2);
        assertThat(a).allSatisfy(c -> {
            assertThat(c.epoch()).isEqualTo(1);
            assertThat(c.handoverJson()).isNull();
        });

        // renewed where owner and epoch match; a wrong epoch is not ours
        Map<Integer, Long> held = epochs(a);
        held.put(2, 7L);
        assertThat(leases.renew("a", held, LEASE).await().atMost(WAIT)).containsExactly(0, 1);
        assertThat(leases.renew("b", epochs(a), LEASE).await().atMost(WAIT)).isEmpty();

        // a clean release leaves the handover for the next owner, who reads it once
        String handover = "{\"clean\": true, \"undispatched\": [{\"execution_id\": \"e\", \"task_id\": \"t\","
                + " \"run\": 1, \"attempt\": 2}]}";
        assertThat(leases.release("a", 1, 2, handover).await().atMost(WAIT)).as("wrong epoch").isFalse();
        assertThat(leases.release("a", 1, 1, handover).await().atMost(WAIT)).isTrue();
        assertThat(owners().get(1)).isNull();
        assertThat(leases.renew("a", Map.of(1, 1L), LEASE).await().atMost(WAIT)).isEmpty();

        List<Claimed> b = claim("b", 1, LEASE, false);
        assertThat(b).hasSize(1);
        assertThat(b.get(0).partition()).isEqualTo(1);
        assertThat(b.get(0).epoch()).isEqualTo(2);
        assertThat(b.get(0).handoverJson()).contains("\"clean\": true", "\"execution_id\": \"e\"");

        // released without a handover (not clean): the next claim reads none
        assertThat(leases.release("b", 1, 2, null).await().atMost(WAIT)).isTrue();
        List<Claimed> again = leases.claim("a", 1, LEASE, false, Set.of(3, 4, 5, 6, 7)).await().atMost(WAIT);
        assertThat(again).extracting(Claimed::partition, Claimed::epoch, Claimed::handoverJson)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, 3L, null));
    }

    @Test
    void replicasClaimingAtOnceNeverOwnTheSamePartition() {
        List<Uni<List<Claimed>>> claims = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            claims.add(leases.claim("r" + i, 3, LEASE, true, Set.of()));
        }
        List<List<Claimed>> results = Uni.join().all(claims).andFailFast().await().atMost(WAIT);
        Map<Integer, String> claimedBy = new HashMap<>();
        for (int i = 0; i < results.size(); i++) {
            for (Claimed c : results.get(i)) {
                String previous = claimedBy.put(c.partition(), "r" + i);
                assertThat(previous).as("partition %d claimed twice", c.partition()).isNull();
                assertThat(c.epoch()).isEqualTo(1);
            }
        }
        assertThat(claimedBy).hasSize(P);
        assertThat(owners()).isEqualTo(claimedBy);
    }

    @Test
    void anExpiredLeaseIsTakenWithTheNextEpochUnlessNobodyTookItThenItsOwnerRenewsIt() {
        List<Claimed> a = claim("a", 2, Duration.ofMillis(1), true);
        assertThat(a).extracting(Claimed::partition).containsExactly(0, 1);
        claim("c", P - 2, LEASE, true); // the other partitions are someone else's, with a live lease
        awaitExpired(0, 1);

        // nobody took partition 0 yet: its owner renews it although the lease expired (e.g. after an outage)
        assertThat(leases.renew("a", Map.of(0, 1L), Duration.ofMillis(1)).await().atMost(WAIT)).containsExactly(0);
        awaitExpired(0);

        // while Postgres just came back, expired leases are not taken; then they are, with epoch + 1
        assertThat(claim("b", 2, LEASE, false)).isEmpty();
        List<Claimed> b = claim("b", 2, LEASE, true);
        assertThat(b).extracting(Claimed::partition, Claimed::epoch).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(0, 2L), org.assertj.core.groups.Tuple.tuple(1, 2L));
        assertThat(b).allSatisfy(c -> assertThat(c.handoverJson()).isNull());
        assertThat(leases.renew("a", epochs(a), LEASE).await().atMost(WAIT)).isEmpty();
        assertThat(owners().get(0)).isEqualTo("b");
    }

    @Test
    void aReplicaRestartedUnderTheSameIdTakesItsOwnPartitionsBackAtOnce() {
        List<Claimed> before = claim("pod-1", 3, LEASE, true); // then the process is killed; its leases run on
        claim("c", P - 3, LEASE, true);
        assertThat(claim("b", 3, LEASE, true)).as("another replica waits for the leases to expire").isEmpty();

        // the new process of "pod-1" holds nothing yet: it claims what the table says is its own, with epoch + 1
        List<Claimed> after = claim("pod-1", 3, LEASE, false);
        assertThat(after).extracting(Claimed::partition).containsExactly(0, 1, 2);
        assertThat(after).allSatisfy(c -> assertThat(c.epoch()).isEqualTo(2));
        assertThat(leases.renew("pod-1", epochs(before), LEASE).await().atMost(WAIT))
                .as("the dead process' epochs are stale").isEmpty();
        // a process skips the partitions it holds, so it never claims them from itself
        assertThat(leases.claim("pod-1", 3, LEASE, true, Set.of(0, 1, 2)).await().atMost(WAIT)).isEmpty();
    }

    private void awaitExpired(Integer... partitions) {
        await().atMost(WAIT).until(() -> pool.preparedQuery("select count(*) from partitions where partition ="
                        + " any($1) and lease_until < now()").execute(Tuple.of((Object) partitions)).await().atMost(WAIT)
                .iterator().next().getLong(0) == partitions.length);
    }

    @Test
    void theFenceRefusesAStaleEpochAnotherOwnerAndNoOwner() {
        claim("a", 2, LEASE, true); // partitions 0 and 1, epoch 1
        pool.withTransaction(tx -> leases.fence(tx, "a", new int[] {0, 1}, new long[] {1, 1})).await().atMost(WAIT);

        assertThatThrownBy(() -> pool.withTransaction(tx -> leases.fence(tx, "a", new int[] {0, 1},
                new long[] {1, 0})).await().atMost(WAIT))
                .isInstanceOfSatisfying(OwnershipLost.class, e -> {
                    assertThat(e.partition()).isEqualTo(1);
                    assertThat(e.expectedEpoch()).isZero();
                    assertThat(e.foundOwner()).isEqualTo("a");
                    assertThat(e.foundEpoch()).isEqualTo(1);
                })
                .hasMessage("Expected replica 'a' to own partition 1 with epoch 0, found it owned by 'a' with epoch 1;"
                        + " the append was refused");
        assertThatThrownBy(() -> pool.withTransaction(tx -> leases.fence(tx, "b", new int[] {0}, new long[] {1}))
                .await().atMost(WAIT)).isInstanceOf(OwnershipLost.class)
                .hasMessageContaining("found it owned by 'a' with epoch 1");
        assertThatThrownBy(() -> pool.withTransaction(tx -> leases.fence(tx, "a", new int[] {2}, new long[] {0}))
                .await().atMost(WAIT)).isInstanceOf(OwnershipLost.class)
                .hasMessageContaining("found it owned by no replica with epoch 0");
    }

    @Test
    void noTakeoverCompletesWhileAnAppendHoldsTheFenceAndTheStaleAppendIsRefusedAfter() throws Exception {
        List<Claimed> a = claim("a", 1, Duration.ofMillis(1), true); // partition 0, epoch 1, lease expires at once
        claim("c", P - 1, LEASE, true);
        awaitExpired(0);

        // an append of "a" is in its transaction, past the fence, not committed yet
        SqlConnection conn = pool.getConnection().await().atMost(WAIT);
        Transaction tx = conn.begin().await().atMost(WAIT);
        leases.fence(conn, "a", new int[] {0}, new long[] {1}).await().atMost(WAIT);

        // a claim skips the fenced row (for update skip locked) rather than take it over under the append
        assertThat(claim("b", 1, LEASE, true)).isEmpty();
        // and any UPDATE of the row (here: a takeover by hand) waits for the append to commit
        AtomicBoolean updated = new AtomicBoolean();
        CompletableFuture<Long> takeover = pool.query("update partitions set owner = 'b', epoch = epoch + 1"
                        + " where partition = 0 returning epoch").execute()
                .map(rows -> rows.iterator().next().getLong(0)).invoke(() -> updated.set(true))
                .subscribeAsCompletionStage();
        await().during(Duration.ofMillis(500)).atMost(WAIT).untilFalse(updated);
        tx.commit().await().atMost(WAIT);
        conn.close().await().atMost(WAIT);
        assertThat(takeover.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(2);

        // the next append of the old owner sees the new epoch and is refused
        assertThatThrownBy(() -> pool.withTransaction(t -> leases.fence(t, "a", new int[] {0}, new long[] {1}))
                .await().atMost(WAIT)).isInstanceOfSatisfying(OwnershipLost.class, e -> {
                    assertThat(e.foundOwner()).isEqualTo("b");
                    assertThat(e.foundEpoch()).isEqualTo(2);
                });
        assertThat(leases.renew("a", epochs(a), LEASE).await().atMost(WAIT)).isEmpty();
    }

    @Test
    void heartbeatsCountLiveReplicasAndTheListingShowsOwners() {
        assertThat(leases.heartbeat("a", "host-a", false, LEASE).await().atMost(WAIT).liveReplicas()).isEqualTo(1);
        assertThat(leases.heartbeat("b", "host-b", false, LEASE).await().atMost(WAIT).liveReplicas()).isEqualTo(2);
        assertThat(leases.heartbeat("c", "host-c", true, LEASE).await().atMost(WAIT).liveReplicas())
                .as("a draining replica does not count, itself included").isEqualTo(2);
        assertThat(leases.heartbeat("a", "host-a", false, LEASE).await().atMost(WAIT).liveReplicas()).isEqualTo(2);
        // a replica whose heartbeat is older than the lease is not live; much older, it is deleted
        pool.query("update replicas set heartbeat_at = now() - interval '11 minutes' where replica_id = 'b'")
                .execute().await().atMost(WAIT);
        assertThat(leases.heartbeat("a", "host-a", false, Duration.ofMinutes(10)).await().atMost(WAIT)
                .liveReplicas()).isEqualTo(1);
        pool.query("update replicas set heartbeat_at = now() - interval '1 hour' where replica_id = 'b'")
                .execute().await().atMost(WAIT);
        leases.heartbeat("a", "host-a", false, Duration.ofMinutes(1)).await().atMost(WAIT);

        claim("a", 3, LEASE, true);
        PartitionLeases.Listing listing = leases.list().await().atMost(WAIT);
        assertThat(listing.replicas()).extracting(PartitionLeases.ReplicaRow::replicaId).containsExactly("a", "c");
        assertThat(listing.replicas().get(0).partitionsOwned()).isEqualTo(3);
        assertThat(listing.replicas().get(1).draining()).isTrue();
        assertThat(listing.partitions()).hasSize(P);
        assertThat(listing.partitions().get(0).owner()).isEqualTo("a");
        assertThat(listing.partitions().get(0).leaseUntil()).isNotNull();
        assertThat(listing.partitions().get(7).owner()).isNull();

        leases.forget("c").await().atMost(WAIT);
        Set<String> left = new HashSet<>();
        leases.list().await().atMost(WAIT).replicas().forEach(r -> left.add(r.replicaId()));
        assertThat(left).containsExactly("a");
    }
}
