package io.harmonia.stream;

import io.harmonia.domain.execution.ExecutionEvent.ExecutionStarted;
import io.harmonia.domain.execution.ExecutionStatus;
import io.harmonia.eventstore.RecordedEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns stored events into {@link StreamMessage}s: remembers each execution's workflow and status as events pass, so
 * that each message can say the execution's status after its event. An execution seen for the first time in the
 * middle of its stream (a follower started at the tail, a resume) is looked up in one query per batch: its workflow
 * from the executions table and its status from the last status-changing event before the one at hand.
 *
 * <p>Not thread-safe: one tracker per sequential reader (the feed follower, one catch-up, one webhook subscription).
 */
public final class ExecutionTracker {
    private static final String EXECUTION_PREFIX = "execution-";
    private static final String[] STATUS_EVENTS = {"ExecutionStarted", "ExecutionPaused", "ExecutionResumed",
        "ExecutionCompleted", "ExecutionFailed", "ExecutionCanceled"};
    private static final String LOOKUP = "select q.id, x.workflow_id::text, (select ev.event_type from events ev"
            + " where ev.stream_id = 'execution-' || q.id and ev.stream_version < q.seq and ev.event_type = any($3)"
            + " order by ev.stream_version desc limit 1)"
            + " from unnest($1::text[], $2::int[]) as q(id, seq) left join executions x on x.id = q.id::uuid";

    /** What is known of an execution: its workflow, and its status after event {@code sequence}. */
    private record Known(String workflowId, ExecutionStatus status, int sequence) {}

    private final Pool pool;
    private final Map<String, Known> known;

    /** @param capacity how many executions to remember (least recently seen are forgotten) */
    public ExecutionTracker(Pool pool, int capacity) {
        this.pool = pool;
        this.known = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Known> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Whether a stored event belongs to an execution stream. */
    public static boolean isExecutionEvent(RecordedEvent r) {
        return r.streamId().startsWith(EXECUTION_PREFIX) && StreamTypes.of(r.type()) != null;
    }

    public static String executionId(RecordedEvent r) {
        return r.streamId().substring(EXECUTION_PREFIX.length());
    }

    /** The messages of the execution events among {@code events}, in the same order; others are left out. */
    public Uni<List<StreamMessage>> messages(List<RecordedEvent> events) {
        Map<String, Integer> lookups = new HashMap<>();
        Map<String, Integer> expected = new HashMap<>();
        for (RecordedEvent r : events) {
            if (!isExecutionEvent(r)) {
                continue;
            }
            String id = executionId(r);
            Integer next = expected.get(id);
            if (next == null) {
                Known k = known.get(id);
                if (!(r.event() instanceof ExecutionStarted)
                        && (k == null || k.sequence() != r.streamVersion() - 1)) {
                    lookups.put(id, r.streamVersion());
                }
            }
            expected.put(id, r.streamVersion() + 1);
        }
        if (lookups.isEmpty()) {
            return Uni.createFrom().item(() -> build(events));
        }
        List<String> ids = new ArrayList<>(lookups.keySet());
        Integer[] seqs = ids.stream().map(lookups::get).toArray(Integer[]::new);
        return pool.preparedQuery(LOOKUP).execute(Tuple.of(ids.toArray(new String[0]), seqs, STATUS_EVENTS))
                .map(rows -> {
                    for (Row row : rows) {
                        String id = row.getString(0);
                        String lastStatusEvent = row.getString(2);
                        known.put(id, new Known(row.getString(1), statusOf(lastStatusEvent),
                                lookups.get(id) - 1));
                    }
                    return build(events);
                });
    }

    private List<StreamMessage> build(List<RecordedEvent> events) {
        List<StreamMessage> out = new ArrayList<>(events.size());
        for (RecordedEvent r : events) {
            if (!isExecutionEvent(r)) {
                continue;
            }
            String id = executionId(r);
            Known before = known.get(id);
            String workflowId = before == null ? null : before.workflowId();
            if (r.event() instanceof ExecutionStarted s) {
                workflowId = s.workflowId();
            }
            ExecutionStatus after = StreamMessages.statusAfter(before == null ? null : before.status(), r.event());
            StreamMessage m = StreamMessages.of(r, id, workflowId, after);
            if (after.terminal()) {
                known.remove(id);
            } else {
                known.put(id, new Known(workflowId, after, r.streamVersion()));
            }
            out.add(m);
        }
        return out;
    }

    private static ExecutionStatus statusOf(String lastStatusEvent) {
        if (lastStatusEvent == null) {
            return ExecutionStatus.RUNNING;
        }
        return switch (lastStatusEvent) {
            case "ExecutionPaused" -> ExecutionStatus.PAUSED;
            case "ExecutionCompleted" -> ExecutionStatus.COMPLETED;
            case "ExecutionFailed" -> ExecutionStatus.FAILED;
            case "ExecutionCanceled" -> ExecutionStatus.CANCELED;
            default -> ExecutionStatus.RUNNING;
        };
    }
}
