package io.harmonia.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Harmonia's connections end a transaction left idle longer than the lease (a stopped replica's fence lock). */
@QuarkusTest
class PoolSettingsTest {
    @Inject
    Pool pool;

    @Test
    void aTransactionIdleForALeaseIsEndedByPostgres() {
        String value = pool.query("show idle_in_transaction_session_timeout").execute()
                .await().atMost(Duration.ofSeconds(10)).iterator().next().getString(0);
        assertThat(value).isEqualTo("8s");
    }
}
