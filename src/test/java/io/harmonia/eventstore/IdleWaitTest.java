package io.harmonia.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.mutiny.core.Vertx;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pause of a feed follower: woken by appends, and never losing a wake that comes while a round runs. */
class IdleWaitTest {
    private static final long LONG_POLL = Duration.ofMinutes(10).toMillis();
    private final Vertx vertx = Vertx.vertx();
    private final AtomicInteger rounds = new AtomicInteger();
    private final IdleWait wait = new IdleWait(vertx, rounds::incrementAndGet);

    @AfterEach
    void close() {
        vertx.closeAndAwait();
    }

    @Test
    void aWaitingFollowerRunsItsRoundWhenWoken() {
        wait.waitFor(LONG_POLL);
        wait.wake();
        await().atMost(Duration.ofSeconds(5)).until(() -> rounds.get() == 1);
    }

    @Test
    void aWakeDuringARoundMakesTheNextWaitEndAtOnce() {
        wait.wake(); // a round is running (the follower is not waiting): an append happened meanwhile
        assertThat(rounds.get()).isZero();
        wait.waitFor(LONG_POLL);
        await().atMost(Duration.ofSeconds(5)).until(() -> rounds.get() == 1);
    }

    @Test
    void withoutAWakeTheFollowerWaitsForThePollInterval() {
        wait.waitFor(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> rounds.get() == 1);
        wait.waitFor(LONG_POLL);
        wait.wake();
        await().atMost(Duration.ofSeconds(5)).until(() -> rounds.get() == 2);
        wait.waitFor(LONG_POLL); // the wake was used up by that round: this one waits
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> rounds.get() == 2);
    }
}
