package io.harmonia.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harmonia.domain.execution.ExecutionEvent.ExecutionPaused;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionResumed;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class PgEventStoreTest {
    static final Duration T = Duration.ofSeconds(10);

    @Inject
    PgEventStore store;

    @Inject
    Pool pool;

    private static List<Object> events(int n) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(i % 2 == 0 ? new ExecutionPaused("p" + i, Instant.EPOCH) : new ExecutionResumed(Instant.EPOCH));
        }
        return out;
    }

    @Test
    void appendsWithTheExpectedVersionAndRejectsAConflictByName() {
        String stream = "test-" + UUID.randomUUID();
        pool.withTransaction(tx -> store.append(tx, stream, 0, events(2))).await().atMost(T);
        pool.withTransaction(tx -> store.append(tx, stream, 2, events(1))).await().atMost(T);
        assertThatThrownBy(() -> pool.withTransaction(tx -> store.append(tx, stream, 2, events(1))).await().atMost(T))
                .isInstanceOf(ConcurrencyConflict.class).hasMessageContaining(stream).hasMessageContaining("version 2");
        List<RecordedEvent> read = store.readStream(stream, 1, 100).await().atMost(T);
        assertThat(read).extracting(RecordedEvent::streamVersion).containsExactly(1, 2, 3);
        assertThat(read.get(0).event()).isEqualTo(new ExecutionPaused("p0", Instant.EPOCH));
        assertThat(store.streamAll(stream).collect().asList().await().atMost(T)).hasSize(3);
    }

    /**
     * The global feed never skips an event that commits late: a transaction that took its position first but
     * commits after a later one must still be read after the reader has seen the later one.
     */
    @Test
    void theGlobalFeedWaitsForATransactionThatCommitsLate() {
        FeedPosition start = catchUp(FeedPosition.START);
        String slow = "slow-" + UUID.randomUUID();
        String fast = "fast-" + UUID.randomUUID();
        SqlConnection conn = pool.getConnection().await().atMost(T);
        try {
            Transaction tx = conn.begin().await().atMost(T);
            store.append(conn, slow, 0, events(1)).await().atMost(T); // takes a position, does not commit yet
            pool.withTransaction(c -> store.append(c, fast, 0, events(1))).await().atMost(T);

            List<RecordedEvent> whileOpen = store.readFeed(start, 1000).await().atMost(T);
            assertThat(whileOpen).extracting(RecordedEvent::streamId).doesNotContain(slow, fast);

            tx.commit().await().atMost(T);
            List<RecordedEvent> after = new ArrayList<>();
            FeedPosition pos = start;
            List<RecordedEvent> page;
            while (!(page = store.readFeed(pos, 1000).await().atMost(T)).isEmpty()) {
                after.addAll(page);
                RecordedEvent last = page.get(page.size() - 1);
                pos = new FeedPosition(last.txId(), last.globalPosition());
            }
            assertThat(after).extracting(RecordedEvent::streamId).contains(slow, fast);
        } finally {
            conn.close().await().atMost(T);
        }
    }


    /**
     * Transactions are ordered by number, not by their text: tx 9 comes before tx 10. Reading the feed page by
     * page across such a boundary must neither skip nor reorder events (read as text, "10" sorts before "9" and a
     * page that ends at 10 leaves 9 behind the cursor for ever).
     */
    @Test
    void theGlobalFeedOrdersTransactionsByNumberAcrossADigitBoundary() {
        // earlier runs against the same (external) database left their rows at these transaction ids: clear them
        pool.query("delete from events where stream_id like 'digits-%'").execute().await().atMost(T);
        String stream = "digits-" + UUID.randomUUID();
        pool.withTransaction(tx -> store.append(tx, stream, 0, events(3))).await().atMost(T);
        // give the three events the transaction ids 9, 10 and 11 (every real transaction here is far above them)
        pool.preparedQuery("update events set tx_id = (8 + stream_version)::text::xid8 where stream_id = $1")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(stream)).await().atMost(T);

        List<String> read = new ArrayList<>();
        FeedPosition pos = new FeedPosition("8", 0);
        for (int page = 0; page < 3; page++) {
            RecordedEvent next = store.readFeed(pos, 1).await().atMost(T).get(0);
            read.add(next.txId() + ":" + next.streamId().equals(stream));
            pos = new FeedPosition(next.txId(), next.globalPosition());
        }
        assertThat(read).containsExactly("9:true", "10:true", "11:true");
    }
    private FeedPosition catchUp(FeedPosition from) {
        FeedPosition pos = from;
        List<RecordedEvent> page;
        while (!(page = store.readFeed(pos, 1000).await().atMost(T)).isEmpty()) {
            RecordedEvent last = page.get(page.size() - 1);
            pos = new FeedPosition(last.txId(), last.globalPosition());
        }
        return pos;
    }
}
