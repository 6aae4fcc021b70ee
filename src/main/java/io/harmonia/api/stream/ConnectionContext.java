package io.harmonia.api.stream;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/**
 * Keeps a connection's writes in the order they were asked for. A write issued on the connection's own event loop
 * goes out at once, while one issued from another thread is queued to that loop, so writes from two threads could
 * overtake each other (a history event before the snapshot). Every write is therefore queued to the connection's
 * context, in order.
 */
final class ConnectionContext {
    private final Context context;

    /** Call on the connection's context (when the stream opens). */
    ConnectionContext(Vertx vertx) {
        Context current = Vertx.currentContext();
        this.context = current != null ? current : vertx.getOrCreateContext();
    }

    <T> Uni<T> inOrder(Supplier<Uni<T>> write) {
        return Uni.createFrom().emitter(em -> context.runOnContext(v -> write.get().subscribe().with(em::complete,
                em::fail)));
    }
}
