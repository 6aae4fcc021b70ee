package io.harmonia.runtime.cluster;

/**
 * How many partitions a replica should own when {@code live} replicas share {@code partitions}: the share is
 * rounded up so that the shares always cover every partition (64 over 3 replicas: 22, 22, 20), and a replica is
 * ready once it holds what is left for it when every other replica holds the full share (20 of 64 over 3). Pure
 * arithmetic, no state.
 */
public final class FairShare {
    private FairShare() {}

    /** The most partitions one replica should hold: partitions / live, rounded up (all of them with one replica). */
    public static int share(int partitions, int live) {
        int n = Math.max(1, live);
        return (partitions + n - 1) / n;
    }

    /**
     * What a replica must hold to have its share: what the others leave it when each holds the full {@link #share}
     * (never more than partitions / live rounded down). Since replicas give partitions away only above the share,
     * 64 over 3 settles at 22, 22, 20: the third is ready at 20 (a threshold of 21 would never be reached).
     */
    public static int ready(int partitions, int live) {
        int n = Math.max(1, live);
        return Math.max(0, Math.min(partitions / n, partitions - (n - 1) * share(partitions, n)));
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
