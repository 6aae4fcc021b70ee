package io.harmonia.runtime;

import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.ExecutionState;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One execution's place in the runtime: its hot state and the queue of work waiting to be decided. Work for one
 * execution is decided strictly one item at a time; different executions proceed in parallel.
 *
 * <p>On the replica that owns the execution's partition the lane also remembers what it set going: the attempts it
 * sent to their components ({@link #dispatched}; a running attempt not in it was started by another replica, or
 * before a restart, and is sent or restarted by the runtime) and the timers it armed ({@link #timers}, cancelled
 * when the lane is evicted or its partition is lost).
 */
final class Lane {
    final String executionId;
    final int partition;
    final Queue<Runnable> queue = new ArrayDeque<>();
    boolean busy;
    /** Null until loaded from the store. */
    ExecutionState state;
    WorkflowDefinition workflow;
    /** Attempts sent to their component by this replica ("taskId/run/attempt"). */
    final Set<String> dispatched = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Attempts sent and not yet reported back (in-process components) or not yet handed to the transport. */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** The same count for the whole partition, shared by its lanes: a handover waits for it to reach 0. */
    private final AtomicInteger partitionInFlight;
    /** Armed Vert.x timers by what they are for ("kind/taskId/run/attempt@due"). */
    final Map<String, Long> timers = new HashMap<>();
    /** When the lane last did anything: idle lanes are evicted from memory. */
    long touchedAt;

    Lane(String executionId, int partition, AtomicInteger partitionInFlight) {
        this.executionId = executionId;
        this.partition = partition;
        this.partitionInFlight = partitionInFlight;
    }

    /** An attempt was sent to its component. */
    void sent() {
        inFlight.incrementAndGet();
        partitionInFlight.incrementAndGet();
    }

    /** A sent attempt came back (its result recorded or refused, or handed to an external worker). */
    void reported() {
        inFlight.decrementAndGet();
        partitionInFlight.decrementAndGet();
    }

    int inFlight() {
        return inFlight.get();
    }

    static String attemptKey(String taskId, int run, int attempt) {
        return taskId + "/" + run + "/" + attempt;
    }
}
