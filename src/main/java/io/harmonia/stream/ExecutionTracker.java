package io.harmonia.stream;

import io.harmonia.domain.execution.ExecutionEvent.ExecutionStarted;
import io.harmonia.domain.execution.ExecutionStatus;
import io.harmonia.eventstore.RecordedEvent;
import io.smallrye.mutiny.Uni;
import io.harmonia.eventstore.ExecutionLookups;
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
        "ExecutionCompleted", "ExecutionFailed", "ExecutionCanceled", "ExecutionRerun"};

    /** What is known of an execution: its workflow, and its status after event {@code sequence}. */
    private record Known(String workflowId, ExecutionStatus status, int sequence) {}

    private final ExecutionLookups lookups;
    private final Map<String, Known> known;

    /** @param capacity how many executions to remember (least recently seen are forgotten) */
    public ExecutionTracker(ExecutionLookups lookups, int capacity) {
        this.lookups = lookups;
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
        Map<String, Integer> wanted = new HashMap<>();
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
                    wanted.put(id, r.streamVersion());
                }
            }
            expected.put(id, r.streamVersion() + 1);
        }
        if (wanted.isEmpty()) {
            return Uni.createFrom().item(() -> build(events));
        }
        return lookups.before(wanted, STATUS_EVENTS).map(found -> {
            for (ExecutionLookups.Before b : found) {
                known.put(b.executionId(), new Known(b.workflowId(), statusOf(b.lastStatusEvent()),
                        b.sequence() - 1));
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
