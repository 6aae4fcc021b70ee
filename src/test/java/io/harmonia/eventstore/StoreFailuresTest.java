package io.harmonia.eventstore;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** Which failures mean "the database cannot be reached" (wait or answer 503) and which are about the request. */
class StoreFailuresTest {

    static PgException pg(String sqlState) {
        return new PgException("boom", "FATAL", sqlState, null);
    }

    @Test
    void connectionFailuresAndServerShutdownsMeanTheStoreIsUnreachable() {
        assertThat(StoreFailures.unreachable(new ConnectException("Connection refused"))).isTrue();
        assertThat(StoreFailures.unreachable(ClosedConnectionException.INSTANCE)).isTrue();
        assertThat(StoreFailures.unreachable(pg("57P01"))).as("admin shutdown").isTrue();
        assertThat(StoreFailures.unreachable(pg("57P03"))).as("cannot connect now").isTrue();
        assertThat(StoreFailures.unreachable(pg("08006"))).as("connection failure").isTrue();
        assertThat(StoreFailures.unreachable(pg("53300"))).as("too many connections").isTrue();
        assertThat(StoreFailures.unreachable(new CompletionException(new ConnectException("refused"))))
                .as("wrapped").isTrue();
        assertThat(StoreFailures.unreachable(new StoreUnavailable("x", "y", Duration.ofSeconds(5)))).isTrue();
    }

    @Test
    void statementAndDataErrorsAreNotOutages() {
        assertThat(StoreFailures.unreachable(pg("23505"))).as("unique violation").isFalse();
        assertThat(StoreFailures.unreachable(pg("22P05"))).as("untranslatable character").isFalse();
        assertThat(StoreFailures.unreachable(pg("40001"))).as("serialization failure").isFalse();
        assertThat(StoreFailures.unreachable(new IllegalStateException("a bug"))).isFalse();
        assertThat(StoreFailures.unreachable(new ConcurrencyConflict("execution-1", 3))).isFalse();
    }

    @Test
    void theDescriptionNamesTheRootCauseWithoutAStackTrace() {
        assertThat(StoreFailures.describe(new CompletionException(new ConnectException("Connection refused"))))
                .isEqualTo("ConnectException: Connection refused");
    }
}
