package io.harmonia.runtime.cluster;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Context;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Calls the {@link PartitionListener} on one Vert.x event-loop context, in the order Ownership makes the calls: a
 * partition's calls never overlap and never overtake each other, and the runtime is always called on an event loop.
 */
final class ListenerCalls {
    private static final Logger LOG = Logger.getLogger(ListenerCalls.class);

    /** Used when no runtime registered a listener: partitions are owned, nothing drives them. */
    static final PartitionListener UNWIRED = new PartitionListener() {
        @Override
        public Uni<Void> acquired(int partition, long epoch, Handover handover) {
            return Uni.createFrom().voidItem();
        }

        @Override
        public void lost(int partition) {}

        @Override
        public Uni<Handover> release(int partition) {
            return Uni.createFrom().item(new Handover(true, List.of()));
        }
    };

    private final PartitionListener listener;
    private final Context context;

    ListenerCalls(PartitionListener listener, Context context) {
        this.listener = listener;
        this.context = context;
    }

    Uni<Void> acquired(int partition, long epoch, Handover handover) {
        return onContext(() -> listener.acquired(partition, epoch, handover));
    }

    Uni<Handover> release(int partition) {
        return onContext(() -> listener.release(partition));
    }

    void lost(int partition) {
        context.runOnContext(() -> {
            try {
                listener.lost(partition);
            } catch (RuntimeException e) {
                LOG.errorf(e, "the partition listener failed on losing partition %d", partition);
            }
        });
    }

    /** Runs {@code work} on the context (the drain and the first round start there too). */
    void run(Runnable work) {
        context.runOnContext(work);
    }

    private <T> Uni<T> onContext(java.util.function.Supplier<Uni<T>> call) {
        return Uni.createFrom().emitter(e -> context.runOnContext(() -> {
            Uni<T> u;
            try {
                u = call.get();
            } catch (RuntimeException err) {
                e.fail(err);
                return;
            }
            u.subscribe().with(e::complete, e::fail);
        }));
    }
}
