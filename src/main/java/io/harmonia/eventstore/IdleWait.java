package io.harmonia.eventstore;

import io.vertx.mutiny.core.Vertx;

/**
 * The pause of a feed follower that found nothing new: it runs {@code round} again after a poll interval, or at once
 * when {@link #wake} says events were appended here. Only a follower that is waiting can be woken, so a round is
 * never run twice at the same time.
 */
public final class IdleWait {
    private final Vertx vertx;
    private final Runnable round;
    private boolean idle;
    private long timer = -1;

    public IdleWait(Vertx vertx, Runnable round) {
        this.vertx = vertx;
        this.round = round;
    }

    /** Waits {@code millis} (at least 1), then runs the round, unless woken first. */
    public synchronized void waitFor(long millis) {
        idle = true;
        timer = vertx.setTimer(Math.max(1, millis), id -> {
            synchronized (this) {
                idle = false;
            }
            round.run();
        });
    }

    /** Runs the round now if the follower is waiting; does nothing otherwise. */
    public void wake() {
        long t;
        synchronized (this) {
            if (!idle) {
                return;
            }
            idle = false;
            t = timer;
        }
        if (vertx.cancelTimer(t)) {
            vertx.runOnContext(round);
        }
    }

    /** Drops a pending wait (the follower stops). */
    public synchronized void cancel() {
        if (idle) {
            vertx.cancelTimer(timer);
            idle = false;
        }
    }
}
