package io.harmonia.stream;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Opens a client connection from inside a Vert.x event-loop context. Started from a test thread, the connection's
 * events and the completion of its future can run on different contexts, and a handler set in the future's callback
 * then comes too late for the first message (Vert.x issue 4106): a snapshot or the first events were lost.
 */
final class OnEventLoop {
    private OnEventLoop() {}

    static <T> T open(Vertx vertx, Supplier<Future<T>> open) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        vertx.getOrCreateContext().runOnContext(v -> open.get().onComplete(ar -> {
            if (ar.succeeded()) {
                result.complete(ar.result());
            } else {
                result.completeExceptionally(ar.cause());
            }
        }));
        return result.get(10, TimeUnit.SECONDS);
    }
}
