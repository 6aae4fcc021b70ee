package io.harmonia.runtime.cluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The partitions whose lease this replica holds, each in one phase: being taken up by the listener, owned, or being
 * handed over; and whether its lease was lost meanwhile. Thread-safe: changes take this object's lock; the reads the
 * runtime makes on its hot path ({@link #epoch}, {@link #owns}, {@link #next}) take none.
 */
final class HeldPartitions {

    enum Phase { ACQUIRING, OWNED, RELEASING }

    /** One held partition. Its mutable fields are guarded by the HeldPartitions that made it. */
    static final class Held {
        final int partition;
        final long epoch;
        private Phase phase = Phase.ACQUIRING;
        /** The lease was lost while the listener was still taking the partition up or handing it over. */
        private boolean lost;
        /** Hand it over as soon as it is taken up (the drain began meanwhile). */
        private boolean releaseWhenTakenUp;

        private Held(int partition, long epoch) {
            this.partition = partition;
            this.epoch = epoch;
        }
    }

    /** What {@link #takenUp} found. */
    enum TakenUp { OWNED, OWNED_RELEASE_NOW, LOST }

    private final int partitions;
    private final AtomicLongArray epochs;
    private final Map<Integer, Held> held = new HashMap<>();
    private final AtomicInteger roundRobin = new AtomicInteger();
    private volatile int[] ring = new int[0];
    private volatile Set<Integer> owned = Set.of();

    HeldPartitions(int partitions) {
        this.partitions = partitions;
        this.epochs = new AtomicLongArray(Math.max(1, partitions));
        for (int p = 0; p < partitions; p++) {
            epochs.set(p, -1);
        }
    }

    // ---- lock-free reads ----

    /** The epoch while the lease is held (from the claim until released or lost), else -1. */
    long epoch(int p) {
        return p >= 0 && p < partitions ? epochs.get(p) : -1;
    }

    boolean owns(int p) {
        return owned.contains(p);
    }

    /** Taken up, not lost, not yet released (those being handed over included). */
    Set<Integer> owned() {
        return owned;
    }

    int ownedCount() {
        return owned.size();
    }

    /** Round-robin over the owned partitions not being handed over, from {@code hint}; -1 when there is none. */
    int next(int hint) {
        int[] r = ring;
        return r.length == 0 ? -1 : r[Math.floorMod(hint + roundRobin.getAndIncrement(), r.length)];
    }

    // ---- changes ----

    /** A partition just claimed with {@code epoch}: held, being taken up. */
    synchronized Held claimed(int p, long epoch) {
        Held h = new Held(p, epoch);
        held.put(p, h);
        epochs.set(p, epoch);
        return h;
    }

    /** The listener has taken {@code h} up: owned, unless its lease was lost meanwhile. */
    synchronized TakenUp takenUp(Held h, boolean draining) {
        if (held.get(h.partition) != h || h.lost) {
            return TakenUp.LOST;
        }
        h.phase = Phase.OWNED;
        rebuild();
        return h.releaseWhenTakenUp || draining ? TakenUp.OWNED_RELEASE_NOW : TakenUp.OWNED;
    }

    synchronized boolean lost(Held h) {
        return h.lost;
    }

    /** These are being handed over: still owned (appends go on), but no new execution goes there. */
    synchronized void releasing(List<Held> hs) {
        hs.forEach(h -> h.phase = Phase.RELEASING);
        rebuild();
    }

    /** The held partitions whose lease is still believed ours, to renew. */
    synchronized Map<Integer, Held> renewable() {
        Map<Integer, Held> out = new HashMap<>();
        held.forEach((p, h) -> {
            if (!h.lost) {
                out.put(p, h);
            }
        });
        return out;
    }

    /**
     * Marks the partitions of {@code asked} that were not {@code renewed} lost. Owned ones are dropped at once and
     * returned (the caller tells the listener); those the listener is taking up or handing over stay until it is
     * done.
     */
    synchronized List<Integer> notRenewed(Map<Integer, Held> asked, Set<Integer> renewed) {
        List<Integer> lostNow = new ArrayList<>();
        asked.forEach((p, h) -> {
            if (renewed.contains(p) || held.get(p) != h) {
                return;
            }
            h.lost = true;
            epochs.set(p, -1);
            if (h.phase == Phase.OWNED) {
                held.remove(p);
                lostNow.add(p);
            }
        });
        if (!lostNow.isEmpty()) {
            rebuild();
        }
        lostNow.sort(null);
        return lostNow;
    }

    /** {@code h} is no longer held (released, lost, or not taken up). */
    synchronized void forget(Held h) {
        if (held.get(h.partition) == h) {
            held.remove(h.partition);
            epochs.compareAndSet(h.partition, h.epoch, -1);
            rebuild();
        }
    }

    /**
     * For the drain: the owned partitions to hand over now; those being taken up are marked to be handed over
     * once taken up.
     */
    synchronized List<Held> toDrain() {
        List<Held> give = new ArrayList<>();
        for (Held h : held.values()) {
            if (h.lost) {
                continue;
            }
            if (h.phase == Phase.OWNED) {
                give.add(h);
            } else if (h.phase == Phase.ACQUIRING) {
                h.releaseWhenTakenUp = true;
            }
        }
        return give;
    }

    // ---- counts for the loop ----

    /** Held and not being handed over: what counts against the share. */
    synchronized int holding() {
        return (int) held.values().stream().filter(h -> !h.lost && h.phase != Phase.RELEASING).count();
    }

    /** Owned (taken up) and not being handed over, highest partition first: what rebalancing may give away. */
    synchronized List<Held> givable() {
        List<Held> out = new ArrayList<>();
        held.values().stream().filter(h -> !h.lost && h.phase == Phase.OWNED).forEach(out::add);
        out.sort((a, b) -> Integer.compare(b.partition, a.partition));
        return out;
    }

    /** Every partition held in any phase (a claim must skip them). */
    synchronized Set<Integer> partitions() {
        return new TreeSet<>(held.keySet());
    }

    synchronized int size() {
        return held.size();
    }

    private void rebuild() {
        Set<Integer> now = new TreeSet<>();
        List<Integer> open = new ArrayList<>();
        for (Held h : held.values()) {
            if (h.lost || h.phase == Phase.ACQUIRING) {
                continue;
            }
            now.add(h.partition);
            if (h.phase == Phase.OWNED) {
                open.add(h.partition);
            }
        }
        open.sort(null);
        ring = open.stream().mapToInt(Integer::intValue).toArray();
        owned = Collections.unmodifiableSet(now);
    }
}
