package io.harmonia.projection.triggers;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.UUID;

/**
 * The HMAC keys of HTTP triggers, in a table of their own ({@code trigger_secrets}): never in an event, a view, a
 * log or a Kafka record. Write-only through the API (a trigger shows {@code "secret_set": true}).
 */
@ApplicationScoped
public class TriggerSecrets {

    private final Pool pool;

    public TriggerSecrets(Pool pool) {
        this.pool = pool;
    }

    /** Sets (or replaces) a trigger's key, in the caller's transaction. */
    public Uni<Void> put(SqlClient tx, String triggerId, String secret) {
        return tx.preparedQuery("insert into trigger_secrets (trigger_id, secret) values ($1, $2) on conflict"
                        + " (trigger_id) do update set secret = excluded.secret")
                .execute(Tuple.of(UUID.fromString(triggerId), secret)).replaceWithVoid();
    }

    /** Erases a trigger's key, in the caller's transaction (deleted, or no longer signed). */
    public Uni<Void> erase(SqlClient tx, String triggerId) {
        return tx.preparedQuery("delete from trigger_secrets where trigger_id = $1")
                .execute(Tuple.of(UUID.fromString(triggerId))).replaceWithVoid();
    }

    public Uni<Optional<String>> get(String triggerId) {
        return pool.preparedQuery("select secret from trigger_secrets where trigger_id = $1")
                .execute(Tuple.of(UUID.fromString(triggerId)))
                .map(rows -> rows.size() == 0 ? Optional.empty()
                        : Optional.of(rows.iterator().next().getString(0)));
    }
}
