package io.harmonia.runtime.cluster;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.IntSupplier;

/** The meters of partition ownership. */
final class OwnershipMetrics {
    private final Counter acquiredClean;
    private final Counter acquiredUnclean;
    private final Counter lost;
    private final Counter released;

    OwnershipMetrics(MeterRegistry metrics, IntSupplier owned) {
        Gauge.builder("harmonia.partitions.owned", owned, IntSupplier::getAsInt)
                .description("partitions this replica owns (taken up by the runtime)").register(metrics);
        acquiredClean = Counter.builder("harmonia.partitions.acquired").tag("clean", "true")
                .description("partitions taken over, after a clean handover or not").register(metrics);
        acquiredUnclean = Counter.builder("harmonia.partitions.acquired").tag("clean", "false")
                .description("partitions taken over, after a clean handover or not").register(metrics);
        lost = Counter.builder("harmonia.partitions.lost")
                .description("partitions lost: taken by another replica, or their lease could not be renewed")
                .register(metrics);
        released = Counter.builder("harmonia.partitions.released")
                .description("partitions handed over to another replica (rebalancing or shutdown)").register(metrics);
    }

    void acquired(boolean clean) {
        (clean ? acquiredClean : acquiredUnclean).increment();
    }

    void lost(int n) {
        lost.increment(n);
    }

    void released() {
        released.increment();
    }
}
