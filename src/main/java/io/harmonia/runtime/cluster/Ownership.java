package io.harmonia.runtime.cluster;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicInteger;

/** STUB (replaced by the lease branch): one replica owning every partition. */
@ApplicationScoped
public class Ownership {
    private static final int P = 64;
    private final Set<Integer> owned = new ConcurrentSkipListSet<>();
    private final AtomicInteger next = new AtomicInteger();
    private PartitionListener listener;

    public String replicaId() {
        return "stub";
    }

    public int partitions() {
        return P;
    }

    public int partitionOf(String executionId) {
        return Partitioning.of(executionId, P);
    }

    public boolean owns(int p) {
        return owned.contains(p);
    }

    public long epoch(int p) {
        return owned.contains(p) ? 1 : -1;
    }

    public Set<Integer> owned() {
        return Set.copyOf(owned);
    }

    public boolean draining() {
        return false;
    }

    public void listen(PartitionListener l) {
        listener = l;
    }

    public int ownedPartitionFor(int hint) {
        Integer[] all = owned.toArray(new Integer[0]);
        return all.length == 0 ? -1 : all[Math.floorMod(next.getAndIncrement(), all.length)];
    }

    void start(@Observes @Priority(5000) StartupEvent ignored) {
        Multi.createFrom().range(0, P).onItem().transformToUniAndMerge(p -> listener.acquired(p, 1, Handover.UNCLEAN)
                .invoke(() -> owned.add(p))).collect().last().subscribe().with(x -> { }, err -> err.printStackTrace());
    }
}
