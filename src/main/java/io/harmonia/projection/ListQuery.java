package io.harmonia.projection;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * One list query of a read model, newest first ({@code created_at desc, id}), costing the page and not the table:
 * a page starts after a {@link PageCursor} (keyset) or at a bounded offset, and the total is counted exactly only up
 * to a bound; above it the total is Postgres' estimate of the table's rows (for an unfiltered list) or the bound
 * itself (a lower bound, for a filtered list), marked as not exact.
 */
public final class ListQuery {

    /** A page, its total (exact or not) and the cursor of the next page (null after the last page). */
    public record Page<T>(List<T> items, long total, boolean totalExact, PageCursor next) {}

    private final String table;
    private final List<String> conditions = new ArrayList<>();
    private final List<Object> args = new ArrayList<>();
    private boolean filtered;

    public ListQuery(String table) {
        this.table = table;
    }

    /** Adds a filter {@code condition} in which {@code ?} stands for {@code value}. */
    public ListQuery where(String condition, Object value) {
        args.add(value);
        conditions.add(condition.replace("?", "$" + args.size()));
        filtered = true;
        return this;
    }

    /** Adds a condition every row of the table meets but for a few (e.g. not deleted); not a filter. */
    public ListQuery always(String condition) {
        conditions.add(condition);
        return this;
    }

    /**
     * Reads a page: the columns {@code select} (the first two must be created_at and id), {@code limit} rows after
     * {@code after} (or from {@code offset}), and the total counted up to {@code maxExactTotal}.
     */
    public <T> Uni<Page<T>> page(Pool pool, String select, int limit, int offset, PageCursor after,
            int maxExactTotal, java.util.function.Function<Row, T> toItem) {
        String filters = whereClause(conditions);
        List<String> pageConditions = new ArrayList<>(conditions);
        List<Object> pageArgs = new ArrayList<>(args);
        if (after != null) {
            pageArgs.add(after.at());
            int at = pageArgs.size();
            pageArgs.add(after.id());
            int id = pageArgs.size();
            // the first condition bounds the index scan; the second skips the rows of the same instant already read
            pageConditions.add("created_at <= $" + at + " and (created_at < $" + at + " or id > $" + id + ")");
        }
        pageArgs.add(limit);
        String sql = "select " + select + " from " + table + whereClause(pageConditions)
                + " order by created_at desc, id limit $" + pageArgs.size();
        if (offset > 0) {
            pageArgs.add(offset);
            sql += " offset $" + pageArgs.size();
        }
        String count = "select count(*) from (select 1 from " + table + filters + " limit " + (maxExactTotal + 1L)
                + ") matched";
        return pool.preparedQuery(sql).execute(Tuple.tuple(pageArgs)).chain(rows -> {
            List<T> items = new ArrayList<>();
            PageCursor last = null;
            for (Row r : rows) {
                items.add(toItem.apply(r));
                last = new PageCursor(r.getOffsetDateTime(0).toInstant(), r.getUUID(1));
            }
            PageCursor next = items.size() == limit ? last : null;
            return pool.preparedQuery(count).execute(Tuple.tuple(args))
                    .chain(c -> total(pool, c, maxExactTotal))
                    .map(total -> new Page<>(items, total[0], total[1] == 1, next));
        });
    }

    private Uni<long[]> total(Pool pool, RowSet<Row> counted, int maxExactTotal) {
        long n = counted.iterator().next().getLong(0);
        if (n <= maxExactTotal) {
            return Uni.createFrom().item(new long[] {n, 1});
        }
        if (filtered) {
            return Uni.createFrom().item(new long[] {n, 0});
        }
        return pool.preparedQuery("select reltuples::bigint from pg_class where oid = $1::text::regclass")
                .execute(Tuple.of(table))
                .map(rows -> new long[] {Math.max(n, rows.iterator().next().getLong(0)), 0});
    }

    private static String whereClause(List<String> conditions) {
        return conditions.isEmpty() ? "" : " where " + String.join(" and ", conditions);
    }
}
