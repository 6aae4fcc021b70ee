package io.harmonia.eventstore;

import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgBuilder;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * A new, empty database on the test Postgres with only the tables of one migration, for tests that need the tables
 * to themselves (the service's own replica owns every partition of the main database).
 */
public final class ScratchDatabase {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private ScratchDatabase() {}

    /** Creates database {@code name} (dropping one of that name), runs {@code migration} there, returns a pool. */
    public static Pool create(Pool main, Vertx vertx, String name, String migration) throws Exception {
        main.query("drop database if exists " + name).execute().await().atMost(TIMEOUT);
        main.query("create database " + name).execute().await().atMost(TIMEOUT);
        var config = ConfigProvider.getConfig();
        PgConnectOptions options = PgConnectOptions.fromUri(
                        config.getValue("quarkus.datasource.reactive.url", String.class).replace("vertx-reactive:", ""))
                .setDatabase(name)
                .setUser(config.getValue("quarkus.datasource.username", String.class))
                .setPassword(config.getOptionalValue("quarkus.datasource.password", String.class).orElse(""));
        Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(8)).connectingTo(options).using(vertx).build();
        String sql;
        try (InputStream in = ScratchDatabase.class.getResourceAsStream("/db/migration/" + migration)) {
            sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        pool.query(sql).execute().await().atMost(TIMEOUT);
        return pool;
    }
}
