package io.harmonia.eventstore;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a feed reader that meets an execution in the middle of its stream needs to know of it: its workflow (from
 * the executions view) and the last status-changing event before the one at hand (from its stream). One query per
 * page of the feed, for all the executions it meets.
 */
@ApplicationScoped
public class ExecutionLookups {
    private static final String BEFORE = "select q.id, x.workflow_id::text, (select ev.event_type from events ev"
            + " where ev.stream_id = 'execution-' || q.id and ev.stream_version < q.seq and ev.event_type = any($3)"
            + " order by ev.stream_version desc limit 1)"
            + " from unnest($1::text[], $2::int[]) as q(id, seq) left join executions x on x.id = q.id::uuid";
    private static final String WORKFLOWS = "select id, workflow_id from executions where id = any($1)";

    /**
     * An execution as it was before event {@code sequence}: its workflow (null when the view has no row) and the
     * type of its last event among the status events asked for (null when there was none).
     */
    public record Before(String executionId, int sequence, String workflowId, String lastStatusEvent) {}

    private final Pool pool;

    public ExecutionLookups(Pool pool) {
        this.pool = pool;
    }

    /**
     * For each execution id and sequence in {@code sequences}: what it was before that event.
     *
     * @param statusEvents the event types that change an execution's status
     */
    public Uni<List<Before>> before(Map<String, Integer> sequences, String[] statusEvents) {
        List<String> ids = new ArrayList<>(sequences.keySet());
        Integer[] seqs = ids.stream().map(sequences::get).toArray(Integer[]::new);
        return pool.preparedQuery(BEFORE).execute(Tuple.of(ids.toArray(new String[0]), seqs, statusEvents))
                .map(rows -> {
                    List<Before> out = new ArrayList<>(rows.size());
                    for (Row r : rows) {
                        String id = r.getString(0);
                        out.add(new Before(id, sequences.get(id), r.getString(1), r.getString(2)));
                    }
                    return out;
                });
    }

    /** The workflow id of each execution among {@code executionIds} that the executions view knows. */
    public Uni<Map<String, String>> workflowIds(List<UUID> executionIds) {
        return pool.preparedQuery(WORKFLOWS).execute(Tuple.of(executionIds.toArray(new UUID[0])))
                .map(rows -> {
                    Map<String, String> out = new HashMap<>();
                    rows.forEach(r -> out.put(r.getUUID(0).toString(), r.getUUID(1).toString()));
                    return out;
                });
    }
}
