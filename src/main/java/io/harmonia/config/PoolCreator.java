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
 */
@Singleton
public class PoolCreator implements PgPoolCreator {
    @Override
    public Pool create(Input input) {
        return PgBuilder.pool()
                .with(input.poolOptions().setConnectionTimeout(0))
                .connectingTo(new java.util.ArrayList<io.vertx.sqlclient.SqlConnectOptions>(input.pgConnectOptionsList()))
                .using(input.vertx())
                .build();
    }
}
