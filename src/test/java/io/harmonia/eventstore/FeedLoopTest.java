package io.harmonia.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.harmonia.domain.execution.ExecutionEvent.ExecutionPaused;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The one feed loop: pages in order, a cursor that moves only past what was handed on, wakes, stops. */
@QuarkusTest
class FeedLoopTest {
    static final Duration T = Duration.ofSeconds(10);
    /** Longer than any test: a loop that reads within a test was woken, not polled. */
    static final Duration NEVER = Duration.ofMinutes(10);

    @Inject
    PgEventStore store;

    @Inject
    FeedPositions positions;

    @Inject
    AppendSignal appends;

    @Inject
    AppendNotifications notifications;

    @Inject
    LiveFeed liveFeed;

    @Inject
    Pool pool;

    @Inject
    Vertx vertx;

    private final List<FeedLoop> loops = new ArrayList<>();
    private final List<String> handed = Collections.synchronizedList(new ArrayList<>());
    private final List<FeedPosition> saved = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void stopLoops() {
        loops.forEach(FeedLoop::stop);
    }

    private FeedLoop loop(FeedCursor cursor, FeedLoop.Handler handler, int pageSize, Duration idlePoll) {
        FeedLoop loop = new FeedLoop(store, vertx, cursor, handler,
                new FeedLoop.Settings("the test loop", pageSize, idlePoll, Duration.ofMillis(50)));
        loops.add(loop);
        return loop;
    }

    /** Hands nothing on: records which streams' events it saw. */
    private FeedLoop.Handler recording(Predicate<RecordedEvent> mine) {
        return page -> {
            page.stream().filter(mine).forEach(e -> handed.add(e.streamId() + "/" + e.streamVersion()));
            return Uni.createFrom().voidItem();
        };
    }

    /** A cursor kept here, starting at the feed's tail, that records each save. */
    private FeedCursor fromTail() {
        FeedPosition tail = positions.tail().await().atMost(T);
        return new FeedCursor() {
            @Override
            public Uni<FeedPosition> load() {
                return Uni.createFrom().item(tail);
            }

            @Override
            public Uni<Void> save(FeedPosition position) {
                saved.add(position);
                return Uni.createFrom().voidItem();
            }
        };
    }

    private void append(String stream, int from, int count) {
        List<Object> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(new ExecutionPaused("p" + i, Instant.EPOCH));
        }
        pool.withTransaction(tx -> store.append(tx, stream, from, events)).await().atMost(T);
    }

    private static List<String> ids(String stream, int count) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            out.add(stream + "/" + i);
        }
        return out;
    }

    @Test
    void handsOnEveryEventAfterTheCursorInFeedOrderPageByPage() {
        String stream = "loop-" + UUID.randomUUID();
        FeedLoop loop = loop(fromTail(), recording(e -> e.streamId().equals(stream)), 3, Duration.ofMillis(20));
        append(stream, 0, 7);
        loop.start();
        await().atMost(T).until(() -> handed.size() == 7);
        assertThat(handed).containsExactlyElementsOf(ids(stream, 7));
        // pages of 3: the cursor was saved at least three times, each after the one before
        assertThat(saved).hasSizeGreaterThanOrEqualTo(3);
        await().atMost(T).until(() -> loop.position().equals(saved.get(saved.size() - 1)));
    }

    @Test
    void anIdleLoopReadsAtOnceWhenWoken() {
        String stream = "wake-" + UUID.randomUUID();
        FeedLoop loop = loop(fromTail(), recording(e -> e.streamId().equals(stream)), 100, NEVER);
        loop.start();
        loop.ready().await().atMost(T);
        append(stream, 0, 2);
        loop.wake();
        await().atMost(T).until(() -> handed.size() == 2);
    }

    @Test
    void theCursorMovesOnlyAfterTheHandlerSucceededSoAFailedPageIsHandedOnAgain() {
        String stream = "retry-" + UUID.randomUUID();
        AtomicInteger failures = new AtomicInteger();
        FeedLoop.Handler failingTwice = page -> {
            boolean mine = page.stream().anyMatch(e -> e.streamId().equals(stream));
            if (mine && failures.getAndIncrement() < 2) {
                return Uni.createFrom().failure(new IllegalStateException("the receiver is down"));
            }
            return recording(e -> e.streamId().equals(stream)).handle(page);
        };
        FeedLoop loop = loop(fromTail(), failingTwice, 100, Duration.ofMillis(20));
        loop.start();
        loop.ready().await().atMost(T);
        FeedPosition before = loop.position();
        append(stream, 0, 3);
        loop.wake();
        await().atMost(T).until(() -> handed.size() == 3);
        assertThat(failures.get()).isEqualTo(3); // two failed, the third went through
        assertThat(handed).containsExactlyElementsOf(ids(stream, 3)); // once each: the failed tries handed none on
        assertThat(saved).allSatisfy(p -> assertThat(p).isNotEqualTo(before));
    }

    @Test
    void aFailingCursorSaveIsRetriedAndThePageHandedOnAgain() {
        String stream = "save-" + UUID.randomUUID();
        FeedPosition tail = positions.tail().await().atMost(T);
        AtomicInteger saves = new AtomicInteger();
        FeedCursor flaky = new FeedCursor() {
            @Override
            public Uni<FeedPosition> load() {
                return Uni.createFrom().item(tail);
            }

            @Override
            public Uni<Void> save(FeedPosition position) {
                return saves.getAndIncrement() == 0
                        ? Uni.createFrom().failure(new IllegalStateException("the database is down"))
                        : Uni.createFrom().voidItem();
            }
        };
        FeedLoop loop = loop(flaky, recording(e -> e.streamId().equals(stream)), 100, Duration.ofMillis(20));
        append(stream, 0, 2);
        loop.start();
        await().atMost(T).until(() -> handed.size() == 4);
        assertThat(handed).containsExactlyElementsOf(List.of(stream + "/1", stream + "/2", stream + "/1",
                stream + "/2"));
    }

    @Test
    void aStoppedLoopHandsNothingMoreOn() {
        String stream = "stop-" + UUID.randomUUID();
        FeedLoop loop = loop(fromTail(), recording(e -> e.streamId().equals(stream)), 100, Duration.ofMillis(20));
        loop.start();
        loop.ready().await().atMost(T);
        loop.stop();
        append(stream, 0, 2);
        loop.wake();
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(handed::isEmpty);
    }

    @Nested
    class ARelayCursor {
        @Test
        void isLoadedFromItsRowAndSavedThere() {
            String name = "test-" + UUID.randomUUID();
            pool.preparedQuery("insert into relay_cursor (name, tx_id, global_position) values ($1, '0', 0)")
                    .execute(Tuple.of(name)).await().atMost(T);
            RelayCursor cursor = new RelayCursor(pool, name);
            assertThat(cursor.load().await().atMost(T)).isEqualTo(FeedPosition.START);
            String stream = "relay-" + UUID.randomUUID();
            append(stream, 0, 2);
            assertThat(cursor.lag().await().atMost(T).events()).isGreaterThanOrEqualTo(2);
            FeedLoop loop = loop(cursor, recording(e -> e.streamId().equals(stream)), 1000, Duration.ofMillis(20));
            loop.start();
            await().atMost(T).until(() -> handed.size() == 2);
            await().atMost(T).until(() -> cursor.load().await().atMost(T).equals(loop.position()));
            loop.stop();
            assertThat(new RelayCursor(pool, name).load().await().atMost(T)).isEqualTo(loop.position());
            pool.preparedQuery("delete from relay_cursor where name = $1").execute(Tuple.of(name))
                    .await().atMost(T);
        }
    }

    @Nested
    class AcrossReplicas {
        /**
         * Another replica's append: committed on a connection of its own, with a notification on
         * {@value AppendNotifications#CHANNEL}, and no local {@link AppendSignal} raised. The loop's idle poll is
         * ten minutes: only the notification can make it read.
         */
        @Test
        void aNotificationFromAnotherConnectionWakesAnIdleLoop() {
            await().atMost(T).until(notifications::listening);
            String stream = "remote-" + UUID.randomUUID();
            FeedLoop loop = loop(fromTail(), recording(e -> e.streamId().equals(stream)), 100, NEVER);
            appends.subscribe(loop::wake);
            loop.start();
            loop.ready().await().atMost(T);
            await().atMost(T).until(() -> saved.isEmpty() && loop.position() != null);
            List<Object> events = List.of(new ExecutionPaused("p", Instant.EPOCH));
            pool.withTransaction(tx -> store.append(tx, stream, 0, events)
                    .chain(() -> AppendNotifications.notifyAppended(tx, UUID.randomUUID().toString())))
                    .await().atMost(T);
            await().atMost(Duration.ofSeconds(5)).until(() -> handed.size() == 1);
        }
    }

    @Nested
    class TheLiveFeed {
        @Test
        void handsEveryPageToEverySubscriberEvenWhenOneOfThemThrows() {
            liveFeed.ready().await().atMost(T);
            String stream = "live-" + UUID.randomUUID();
            List<String> second = Collections.synchronizedList(new ArrayList<>());
            liveFeed.subscribe(page -> {
                if (page.stream().anyMatch(e -> e.streamId().equals(stream))) {
                    throw new IllegalStateException("a listener that fails on the test's events");
                }
            });
            liveFeed.subscribe(page -> page.stream().filter(e -> e.streamId().equals(stream))
                    .forEach(e -> second.add(e.streamId() + "/" + e.streamVersion())));
            append(stream, 0, 3);
            appends.appended(); // as the runtime does after a local append
            await().atMost(Duration.ofSeconds(5)).until(() -> second.size() == 3);
            assertThat(second).containsExactlyElementsOf(ids(stream, 3));
            assertThat(liveFeed.position()).isNotNull();
        }
    }

    @Nested
    class WhenTheListeningConnectionDrops {
        private static final String LISTENERS = "select pid from pg_stat_activity where query like 'LISTEN %"
                + AppendNotifications.CHANNEL + "%'";

        /** The replica listens again within seconds, and notifications wake its loops again. */
        @Test
        void itListensAgainAndNotificationsWakeLoopsAgain() {
            await().atMost(T).until(notifications::listening);
            List<Integer> before = pids();
            assertThat(before).isNotEmpty();
            pool.preparedQuery("select pg_terminate_backend(pid) from pg_stat_activity where pid = any($1)")
                    .execute(Tuple.of(before.toArray(new Integer[0]))).await().atMost(T);
            await().atMost(T).until(() -> !pids().isEmpty() && pids().stream().noneMatch(before::contains));
            await().atMost(T).until(notifications::listening);

            String stream = "again-" + UUID.randomUUID();
            FeedLoop loop = loop(fromTail(), recording(e -> e.streamId().equals(stream)), 100, NEVER);
            appends.subscribe(loop::wake);
            loop.start();
            loop.ready().await().atMost(T);
            List<Object> events = List.of(new ExecutionPaused("p", Instant.EPOCH));
            pool.withTransaction(tx -> store.append(tx, stream, 0, events)
                    .chain(() -> AppendNotifications.notifyAppended(tx, null)))
                    .await().atMost(T);
            await().atMost(Duration.ofSeconds(5)).until(() -> handed.size() == 1);
        }

        private List<Integer> pids() {
            List<Integer> out = new ArrayList<>();
            pool.query(LISTENERS).execute().await().atMost(T).forEach(r -> out.add(r.getInteger(0)));
            return out;
        }
    }
}
