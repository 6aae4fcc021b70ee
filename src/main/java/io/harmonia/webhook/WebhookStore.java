package io.harmonia.webhook;

import io.harmonia.eventstore.CursorWrites;
import io.harmonia.eventstore.FeedPosition;
import io.harmonia.eventstore.FeedPositions;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Webhook subscriptions and their durable delivery state, in Postgres. */
@ApplicationScoped
public class WebhookStore {
    private static final String COLUMNS = "id, url, event_types, workflow_id, secret, created_at, cursor_tx_id::text,"
            + " cursor_position, attempts, next_attempt_at, last_attempt_at, last_status, last_error, delivered,"
            + " last_delivered_at, last_delivered_id";

    /** A page of subscriptions, oldest first, and how many there are. */
    public record Page(List<WebhookSubscription> items, long total) {}

    private final Pool pool;
    private final FeedPositions positions;

    public WebhookStore(Pool pool, FeedPositions positions) {
        this.pool = pool;
        this.positions = positions;
    }

    /** Stores a subscription whose cursor is the feed's tail: it gets the events appended from now on. */
    public Uni<WebhookSubscription> create(String url, List<String> eventTypes, String workflowId, String secret) {
        UUID id = UUID.randomUUID();
        return positions.tail().chain(tail -> pool.preparedQuery("insert into webhook_subscriptions (id, url,"
                        + " event_types, workflow_id, secret, cursor_tx_id, cursor_position)"
                        + " values ($1, $2, $3, $4, $5, $6::text::xid8, $7) returning " + COLUMNS)
                .execute(Tuple.tuple(Arrays.asList(id, url, eventTypes.toArray(new String[0]),
                        workflowId == null ? null : UUID.fromString(workflowId), secret, tail.txId(),
                        tail.globalPosition())))
                .map(rows -> toSubscription(rows.iterator().next())));
    }

    public Uni<Optional<WebhookSubscription>> get(String id) {
        return pool.preparedQuery("select " + COLUMNS + " from webhook_subscriptions where id = $1")
                .execute(Tuple.of(UUID.fromString(id)))
                .map(rows -> rows.size() == 0 ? Optional.empty()
                        : Optional.of(toSubscription(rows.iterator().next())));
    }

    public Uni<List<WebhookSubscription>> all() {
        return pool.query("select " + COLUMNS + " from webhook_subscriptions order by created_at, id").execute()
                .map(rows -> {
                    List<WebhookSubscription> out = new ArrayList<>();
                    rows.forEach(r -> out.add(toSubscription(r)));
                    return out;
                });
    }

    public Uni<Page> list(int limit, int offset) {
        return pool.preparedQuery("select " + COLUMNS + ", count(*) over () from webhook_subscriptions"
                        + " order by created_at, id limit $1 offset $2")
                .execute(Tuple.of(limit, offset))
                .chain(rows -> {
                    List<WebhookSubscription> out = new ArrayList<>();
                    long total = -1;
                    for (Row r : rows) {
                        out.add(toSubscription(r));
                        total = r.getLong(16);
                    }
                    if (total >= 0) {
                        return Uni.createFrom().item(new Page(out, total));
                    }
                    return pool.query("select count(*) from webhook_subscriptions").execute()
                            .map(c -> new Page(out, c.iterator().next().getLong(0)));
                });
    }

    /** True when it existed. */
    public Uni<Boolean> delete(String id) {
        return pool.preparedQuery("delete from webhook_subscriptions where id = $1")
                .execute(Tuple.of(UUID.fromString(id))).map(rows -> rows.rowCount() > 0);
    }

    /** The event at {@code position} was delivered (2xx). False when the subscription is gone. */
    public Uni<Boolean> delivered(String id, FeedPosition cursor, String eventId, Instant at) {
        return CursorWrites.update(pool, "update webhook_subscriptions set cursor_tx_id = $2::text::xid8,"
                        + " cursor_position = $3, attempts = 0, next_attempt_at = null, last_status = null,"
                        + " last_error = null, last_attempt_at = $4, delivered = delivered + 1,"
                        + " last_delivered_at = $4, last_delivered_id = $5 where id = $1",
                Tuple.of(UUID.fromString(id), cursor.txId(), cursor.globalPosition(), utc(at), eventId))
                .map(updated -> updated > 0);
    }

    /** Nothing to deliver up to {@code cursor}. False when the subscription is gone. */
    public Uni<Boolean> skipped(String id, FeedPosition cursor) {
        return CursorWrites.update(pool, "update webhook_subscriptions set cursor_tx_id = $2::text::xid8,"
                        + " cursor_position = $3 where id = $1",
                Tuple.of(UUID.fromString(id), cursor.txId(), cursor.globalPosition()))
                .map(updated -> updated > 0);
    }

    /** An attempt failed; the next is due at {@code next}. False when the subscription is gone. */
    public Uni<Boolean> failed(String id, int attempts, Instant at, Instant next, Integer status, String error) {
        return pool.preparedQuery("update webhook_subscriptions set attempts = $2, last_attempt_at = $3,"
                        + " next_attempt_at = $4, last_status = $5, last_error = $6 where id = $1")
                .execute(Tuple.tuple(Arrays.asList(UUID.fromString(id), attempts, utc(at), utc(next), status,
                        error)))
                .map(rows -> rows.rowCount() > 0);
    }

    private static OffsetDateTime utc(Instant t) {
        return t == null ? null : t.atOffset(ZoneOffset.UTC);
    }

    private static WebhookSubscription toSubscription(Row r) {
        String[] types = r.getArrayOfStrings(2);
        UUID workflow = r.getUUID(3);
        return new WebhookSubscription(r.getUUID(0).toString(), r.getString(1),
                types == null ? List.of() : List.of(types), workflow == null ? null : workflow.toString(),
                r.getString(4), instant(r.getOffsetDateTime(5)), new FeedPosition(r.getString(6), r.getLong(7)),
                r.getInteger(8), instant(r.getOffsetDateTime(9)), instant(r.getOffsetDateTime(10)),
                r.getInteger(11), r.getString(12), r.getLong(13), instant(r.getOffsetDateTime(14)),
                r.getString(15));
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }
}
