package io.harmonia.config;

import io.quarkus.reactive.pg.client.PgPoolCreator;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import jakarta.inject.Singleton;

/**
 * Creates the reactive Postgres pool as Quarkus would, but without the pool's connection-acquisition timer.
 *
 * <p>Vert.x SQL client 4.5 (eclipse-vertx/vertx-sql-client#1706, open) does not cancel that timer when acquiring a
 * connection fails, so once the timeout passes every failed acquisition logs an uncaught
 * {@code IllegalStateException: Result is already complete} with its stack trace: hundreds during a Postgres
 * outage. Harmonia does not need the timer: a connection that cannot be made fails at once (refused) or after the
 * connect timeout, and a database outage is handled by {@code StoreAvailability}.
 *
 * <p>Every connection also sets {@code idle_in_transaction_session_timeout} (the lease,
 * {@code harmonia.cluster.lease}): a replica stopped in the middle of an append (SIGSTOP, a frozen VM) holds the
 * share lock of its partition's fence; Postgres then ends that transaction after the lease, so the partition can be
 * taken over (the stopped replica's commit fails when it resumes) instead of stalling for as long as the pause.
 */
@Singleton
public class PoolCreator implements PgPoolCreator {
    @jakarta.inject.Inject
    ClusterConfig cluster;

    @Override
    public Pool create(Input input) {
        String idleInTransaction = String.valueOf(Math.max(1000, cluster.lease().toMillis()));
        java.util.List<io.vertx.sqlclient.SqlConnectOptions> options = new java.util.ArrayList<>();
        for (io.vertx.pgclient.PgConnectOptions o : input.pgConnectOptionsList()) {
            options.add(o.addProperty("idle_in_transaction_session_timeout", idleInTransaction));
        }
        return PgBuilder.pool()
                .with(input.poolOptions().setConnectionTimeout(0))
                .connectingTo(options)
                .using(input.vertx())
                .build();
    }
}
