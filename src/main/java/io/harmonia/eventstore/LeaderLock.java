package io.harmonia.eventstore;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import org.jboss.logging.Logger;

/**
 * "Exactly one replica does this": a Postgres advisory lock held on a dedicated connection. The replica that takes
 * it runs {@code onAcquired}; when that connection closes (its process died, the network dropped) the lock is
 * released ({@link #stop} releases it explicitly), {@code onLost} runs, and every replica keeps trying to take it, so another one takes over in seconds.
 */
public final class LeaderLock {
    private static final Logger LOG = Logger.getLogger(LeaderLock.class);

    private final Pool pool;
    private final Vertx vertx;
    private final long key;
    private final String role;
    private final Runnable onAcquired;
    private final Runnable onLost;
    private volatile boolean held;
    private volatile boolean stopped;
    private SqlConnection connection;

    /**
     * @param role what the holder does, for the logs (e.g. "publishes events to Kafka")
     */
    public LeaderLock(Pool pool, Vertx vertx, long key, String role, Runnable onAcquired, Runnable onLost) {
        this.pool = pool;
        this.vertx = vertx;
        this.key = key;
        this.role = role;
        this.onAcquired = onAcquired;
        this.onLost = onLost;
    }

    public boolean held() {
        return held;
    }

    /** Starts trying to take the lock, now and every two seconds until it is held. */
    public void start() {
        tryToTake();
    }

    /** Gives the lock up for good (at shutdown). */
    public void stop() {
        stopped = true;
        held = false;
        SqlConnection c = connection;
        connection = null;
        if (c != null) {
            // unlock explicitly: closing a pooled connection only returns it to the pool, session and lock intact
            c.preparedQuery("select pg_advisory_unlock($1)").execute(Tuple.of(key))
                    .onItemOrFailure().transformToUni((rows, err) -> c.close())
                    .subscribe().with(ok -> { }, err -> LOG.debugf("could not release the lock: %s", err));
        }
    }

    private void tryToTake() {
        if (stopped) {
            return;
        }
        pool.getConnection()
                .chain(conn -> conn.preparedQuery("select pg_try_advisory_lock($1)").execute(Tuple.of(key))
                        .map(rows -> rows.iterator().next().getBoolean(0))
                        .chain(locked -> {
                            if (!locked) {
                                return conn.close().replaceWith(false);
                            }
                            connection = conn;
                            conn.closeHandler(this::lost);
                            return Uni.createFrom().item(true);
                        }))
                .subscribe().with(taken -> {
                    if (taken) {
                        held = true;
                        LOG.infof("this replica %s", role);
                        onAcquired.run();
                    } else {
                        vertx.setTimer(2000, id -> tryToTake());
                    }
                }, err -> {
                    LOG.debugf("could not try the lock of the replica that %s: %s", role, err.getMessage());
                    vertx.setTimer(2000, id -> tryToTake());
                });
    }

    private void lost() {
        boolean was = held;
        held = false;
        connection = null;
        if (stopped) {
            return;
        }
        if (was) {
            LOG.warnf("lost the lock of the replica that %s (its connection closed); trying to take it again", role);
            onLost.run();
        }
        vertx.setTimer(1000, id -> tryToTake());
    }
}
