package io.harmonia.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Two "replicas" compete for one role: exactly one holds it, and the other takes over when the holder dies. */
@QuarkusTest
class LeaderLockTest {

    @Inject
    Pool pool;

    @Inject
    Vertx vertx;

    @Test
    void exactlyOneHoldsTheLockAndAnotherTakesOverWhenItGoesAway() {
        long key = System.nanoTime();
        AtomicInteger firstLost = new AtomicInteger();
        LeaderLock first = new LeaderLock(pool, vertx, key, "runs the test role", () -> { },
                firstLost::incrementAndGet);
        AtomicInteger secondLost = new AtomicInteger();
        LeaderLock second = new LeaderLock(pool, vertx, key, "runs the test role", () -> { },
                secondLost::incrementAndGet);
        first.start();
        await().atMost(Duration.ofSeconds(10)).until(first::held);
        second.start();
        // the second keeps trying (every 2 s) and never gets it while the first holds it
        await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5)).until(() -> !second.held());

        first.stop(); // gives the lock up, as a replica shutting down (a dead one loses its connection)
        await().atMost(Duration.ofSeconds(10)).until(second::held);
        assertThat(first.held()).isFalse();

        // the holder's database session dies: it learns it lost the lock, and the lock is held again by exactly one
        // of the two live contenders (the second retries too, as a replica that only lost its connection would)
        LeaderLock third = new LeaderLock(pool, vertx, key, "runs the test role", () -> { }, () -> { });
        third.start();
        pool.preparedQuery("select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory'"
                + " and ((classid::bigint << 32) | objid::bigint) = $1").execute(io.vertx.mutiny.sqlclient.Tuple.of(key))
                .await().atMost(Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(5)).until(() -> secondLost.get() == 1);
        await().atMost(Duration.ofSeconds(15)).until(() -> second.held() ^ third.held());
        await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5)).until(() -> second.held() ^ third.held());
        second.stop();
        third.stop();
    }
}
