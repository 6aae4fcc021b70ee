package io.harmonia.runtime.cluster;

/**
 * How many partitions a replica should own when {@code live} replicas share {@code partitions}: the share is
 * rounded up so that the shares always cover every partition (64 over 3 replicas: 22, 22, 20), and a replica is
 * ready once it holds the share rounded down. Pure arithmetic, no state.
 */
public final class FairShare {
    private FairShare() {}

    /** The most partitions one replica should hold: partitions / live, rounded up (all of them with one replica). */
    public static int share(int partitions, int live) {
        int n = Math.max(1, live);
        return (partitions + n - 1) / n;
    }

    /** What a replica must hold to have its share: partitions / live, rounded down. */
    public static int ready(int partitions, int live) {
        return partitions / Math.max(1, live);
    }

    /** How many more partitions a replica holding {@code held} should claim. */
    public static int toClaim(int partitions, int live, int held) {
        return Math.max(0, share(partitions, live) - held);
    }

    /** How many of its partitions a replica holding {@code held} should give away (only when rebalancing). */
    public static int toGiveAway(int partitions, int live, int held, boolean rebalance) {
        return rebalance ? Math.max(0, held - share(partitions, live)) : 0;
    }
}
