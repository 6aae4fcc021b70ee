package io.harmonia.eventstore;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A cursor update commits without waiting for the WAL flush, and only that update: every pooled connection must
 * stay synchronous afterwards, or the event appends that use it next would no longer be durable.
 */
@QuarkusTest
class CursorWritesTest {
    static final Duration T = Duration.ofSeconds(10);

    @Inject
    Pool pool;

    @Test
    void theCursorMovesAndEveryConnectionStaysSynchronous() {
        String cursor = "cursor-writes-test";
        pool.preparedQuery("insert into relay_cursor (name, tx_id, global_position) values ($1, '0'::xid8, 0)"
                + " on conflict (name) do nothing").execute(Tuple.of(cursor)).await().atMost(T);
        for (int i = 1; i <= 40; i++) { // more than the pool has connections: each one is used
            int updated = CursorWrites.update(pool, "update relay_cursor set global_position = $2 where name = $1",
                    Tuple.of(cursor, (long) i)).await().atMost(T);
            assertThat(updated).isEqualTo(1);
        }
        long position = pool.preparedQuery("select global_position from relay_cursor where name = $1")
                .execute(Tuple.of(cursor)).await().atMost(T).iterator().next().getLong(0);
        assertThat(position).isEqualTo(40);
        for (int i = 0; i < 40; i++) {
            String setting = pool.query("show synchronous_commit").execute().await().atMost(T)
                    .iterator().next().getString(0);
            assertThat(setting).as("synchronous_commit on a pooled connection").isEqualTo("on");
        }
    }
}
