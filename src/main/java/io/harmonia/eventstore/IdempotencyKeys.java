package io.harmonia.eventstore;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;

/** The idempotency_keys table: which execution a key started, for which request (a hash), and when. */
@ApplicationScoped
public class IdempotencyKeys {

    /** A remembered key: the execution it started and the hash of that request (null for keys stored before hashes). */
    public record Stored(String executionId, String requestHash) {}

    private final Pool pool;

    public IdempotencyKeys(Pool pool) {
        this.pool = pool;
    }

    /** The key as stored after {@code notBefore} (older ones have expired). */
    public Uni<Optional<Stored>> find(String key, Instant notBefore) {
        return pool.preparedQuery("select execution_id, request_hash from idempotency_keys where key = $1"
                        + " and created_at >= $2")
                .execute(Tuple.of(key, notBefore.atOffset(ZoneOffset.UTC)))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.empty();
                    }
                    Row r = rows.iterator().next();
                    return Optional.of(new Stored(r.getUUID(0).toString(), r.getString(1)));
                });
    }

    /**
     * Records the key in the start's transaction, first deleting an expired row of the same key (stored before
     * {@code notBefore}). A live row of the key fails the insert with a unique violation (23505).
     */
    public Uni<Void> claim(SqlClient tx, String key, String executionId, String requestHash, Instant now,
            Instant notBefore) {
        return tx.preparedQuery("delete from idempotency_keys where key = $1 and created_at < $2")
                .execute(Tuple.of(key, notBefore.atOffset(ZoneOffset.UTC)))
                .chain(() -> tx.preparedQuery("insert into idempotency_keys (key, execution_id, request_hash,"
                                + " created_at) values ($1, $2, $3, $4)")
                        .execute(Tuple.of(key, UUID.fromString(executionId), requestHash,
                                now.atOffset(ZoneOffset.UTC))))
                .replaceWithVoid();
    }

    /** Deletes the keys stored before {@code notBefore}; the number deleted. */
    public Uni<Integer> sweep(Instant notBefore) {
        return pool.preparedQuery("delete from idempotency_keys where created_at < $1")
                .execute(Tuple.of(notBefore.atOffset(ZoneOffset.UTC))).map(rows -> rows.rowCount());
    }
}
