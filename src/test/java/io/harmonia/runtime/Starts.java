package io.harmonia.runtime;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * Starts {@code count} executions of a workflow at a steady rate, round-robin over the replicas still in the
 * rotation, in the background. A start that fails (its replica was killed or is shutting down) is sent again to the
 * next replica with the same {@code Idempotency-Key}, so no execution is started twice.
 */
final class Starts implements AutoCloseable {
    private final String workflowId;
    private final String keyPrefix;
    private final IntFunction<String> input;
    private final int count;
    private final List<Replica> rotation;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService senders = Executors.newFixedThreadPool(8);
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger started = new AtomicInteger();
    private final AtomicInteger resent = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    /** execution id -> the replica that answered its start */
    private final Map<String, String> startedOn = new ConcurrentHashMap<>();

    Starts(String workflowId, String keyPrefix, IntFunction<String> input, int count, List<Replica> replicas) {
        this.workflowId = workflowId;
        this.keyPrefix = keyPrefix;
        this.input = input;
        this.count = count;
        this.rotation = new CopyOnWriteArrayList<>(replicas);
    }

    /** Begins sending, {@code perSecond} starts a second. */
    Starts begin(int perSecond) {
        long periodMicros = 1_000_000L / perSecond;
        ticker.scheduleAtFixedRate(() -> {
            int i = next.getAndIncrement();
            if (i >= count) {
                ticker.shutdown();
                return;
            }
            senders.execute(() -> send(i));
        }, 0, periodMicros, TimeUnit.MICROSECONDS);
        return this;
    }

    /** Takes the replica out of the rotation (before it is killed or stopped). */
    void remove(Replica r) {
        rotation.remove(r);
    }

    private void send(int i) {
        String key = keyPrefix + "-" + i;
        AtomicInteger tries = new AtomicInteger();
        try {
            await("start " + key).atMost(Duration.ofSeconds(60)).pollInSameThread().pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(100)).until(() -> {
                int t = tries.getAndIncrement();
                if (t > 0) {
                    resent.incrementAndGet();
                }
                Replica r = rotation.get((i + t) % rotation.size());
                try {
                    startedOn.put(r.startExecution(workflowId, input.apply(i), key), r.id);
                    return true;
                } catch (Exception e) {
                    return false;
                }
            });
            started.incrementAndGet();
        } catch (Throwable e) {
            failure.compareAndSet(null, e);
        }
    }

    int started() {
        return started.get();
    }

    /** Starts that had to be sent again (to another replica). */
    int resent() {
        return resent.get();
    }

    /** Waits until every start was answered; rethrows the first start that never was. */
    void awaitAll(Duration atMost) {
        await("all " + count + " starts answered").atMost(atMost).pollInterval(Duration.ofMillis(100))
                .until(() -> failure.get() != null || started.get() == count);
        if (failure.get() != null) {
            throw new AssertionError("a start was never answered by any replica", failure.get());
        }
    }

    /** Execution id -> id of the replica that answered its start. */
    Map<String, String> startedOn() {
        return Map.copyOf(startedOn);
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        senders.shutdownNow();
    }
}
