package io.harmonia.eventstore;

import io.vertx.mutiny.core.Vertx;

/**
 * The pause of a feed follower that found nothing new: it runs {@code round} again after a poll interval, or at once
 * when {@link #wake} says events were appended here. A wake that comes while a round is running is remembered: the
 * next wait ends at once, so a follower can go idle after a partial page without re-reading the feed just to find
 * it empty, and still misses no append. A round is never run twice at the same time.
 */
public final class IdleWait {
    private final Vertx vertx;
    private final Runnable round;
    private boolean idle;
    private boolean wokenWhileBusy;
    private long timer = -1;

    public IdleWait(Vertx vertx, Runnable round) {
        this.vertx = vertx;
        this.round = round;
    }

    /** Waits {@code millis} (at least 1), then runs the round, unless woken first. */
    public synchronized void waitFor(long millis) {
        if (wokenWhileBusy) {
            wokenWhileBusy = false;
            vertx.runOnContext(round);
            return;
        }
        idle = true;
        timer = vertx.setTimer(Math.max(1, millis), id -> {
            synchronized (this) {
                idle = false;
            }
            round.run();
        });
    }

    /** Runs the round now if the follower is waiting; otherwise the next {@link #waitFor} does not wait. */
    public void wake() {
        long t;
        synchronized (this) {
            if (!idle) {
                wokenWhileBusy = true;
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
        wokenWhileBusy = false;
        if (idle) {
            vertx.cancelTimer(timer);
            idle = false;
        }
    }
}
