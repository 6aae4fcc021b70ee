package io.harmonia.runtime;

import io.harmonia.eventstore.StoreAvailability;
import io.harmonia.eventstore.StoreUnavailable;
import io.harmonia.runtime.ExecutionEngine.Decided;
import io.harmonia.runtime.ExecutionEngine.Mode;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One item of work at a time per lane, in order; lanes proceed in parallel. A request queued behind work that waits
 * for the database (a task result during an outage) is answered 503 after {@code harmonia.store.request-timeout}
 * instead of hanging, and is then not carried out.
 */
final class LaneQueue {
    private static final int QUEUED = 0;
    private static final int RUNNING = 1;
    private static final int ABANDONED = 2;

    private final Vertx vertx;
    private final StoreAvailability availability;
    private final Duration requestTimeout;
    private final Consumer<Lane> passed;

    /** {@code passed} runs after every item of a lane, before the next one starts. */
    LaneQueue(Vertx vertx, StoreAvailability availability, Duration requestTimeout, Consumer<Lane> passed) {
        this.vertx = vertx;
        this.availability = availability;
        this.requestTimeout = requestTimeout;
        this.passed = passed;
    }

    Uni<Decided> submit(Lane lane, Supplier<Uni<Decided>> work, Mode mode) {
        CompletableFuture<Decided> result = new CompletableFuture<>();
        AtomicInteger phase = new AtomicInteger(QUEUED);
        Runnable item = () -> {
            if (!phase.compareAndSet(QUEUED, RUNNING)) {
                next(lane); // the request was answered 503 while it waited
                return;
            }
            Uni<Decided> decided;
            try {
                decided = work.get();
            } catch (RuntimeException e) {
                decided = Uni.createFrom().failure(e);
            }
            decided.subscribe().with(s -> {
                result.complete(s);
                next(lane);
            }, err -> {
                result.completeExceptionally(err);
                next(lane);
            });
        };
        boolean runNow;
        synchronized (lane) {
            lane.queue.add(item);
            runNow = !lane.busy;
            if (runNow) {
                lane.busy = true;
            }
        }
        if (mode == Mode.REQUEST && !runNow) {
            abandonIfStuck(lane, phase, result);
        }
        if (runNow) {
            next(lane);
        }
        return Uni.createFrom().completionStage(result);
    }

    private void abandonIfStuck(Lane lane, AtomicInteger phase, CompletableFuture<Decided> result) {
        vertx.setTimer(requestTimeout.toMillis(), id -> {
            if (phase.get() != QUEUED) {
                return;
            }
            if (availability.available()) {
                abandonIfStuck(lane, phase, result); // busy, not stuck: keep waiting
            } else if (phase.compareAndSet(QUEUED, ABANDONED)) {
                result.completeExceptionally(new StoreUnavailable("change execution " + lane.executionId,
                        String.valueOf(availability.lastError()), availability.retryAfter()));
            }
        });
    }

    private void next(Lane lane) {
        Runnable item;
        synchronized (lane) {
            item = lane.queue.poll();
            if (item == null) {
                lane.busy = false;
            }
        }
        if (item == null) {
            passed.accept(lane);
            return;
        }
        item.run();
    }
}
