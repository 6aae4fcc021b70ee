package io.harmonia.component.builtin;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

/**
 * Collects a response body in memory up to a limit. A write past the limit fails with {@link TooLargeException},
 * which makes the web client fail the request instead of buffering an unbounded body.
 *
 * <p>Vert.x writes to it from one event-loop thread; the collected body is read after the request completed.
 */
final class LimitedBodyStream implements WriteStream<Buffer> {

    /** The body exceeded the limit. */
    static final class TooLargeException extends RuntimeException {
        private final long limit;

        TooLargeException(long limit) {
            super("response body exceeds the limit of " + limit + " bytes", null, false, false);
            this.limit = limit;
        }

        long limit() {
            return limit;
        }
    }

    private final long limit;
    private final Buffer body = Buffer.buffer();
    private volatile boolean overflowed;
    private volatile boolean abandoned;

    LimitedBodyStream(long limit) {
        this.limit = limit;
    }

    Buffer body() {
        return body;
    }

    boolean overflowed() {
        return overflowed;
    }

    /**
     * The caller gave up on the response (it timed out): the next chunk fails the transfer, so a server that keeps
     * trickling data does not hold the connection open for ever.
     */
    void abandon() {
        abandoned = true;
    }

    @Override
    public Future<Void> write(Buffer chunk) {
        if (abandoned) {
            return Future.failedFuture(new IllegalStateException("response abandoned"));
        }
        if (overflowed) {
            return Future.failedFuture(new TooLargeException(limit));
        }
        if ((long) body.length() + chunk.length() > limit) {
            overflowed = true;
            return Future.failedFuture(new TooLargeException(limit));
        }
        body.appendBuffer(chunk);
        return Future.succeededFuture();
    }

    @Override
    public void write(Buffer chunk, Handler<AsyncResult<Void>> handler) {
        Future<Void> result = write(chunk);
        if (handler != null) {
            handler.handle(result);
        }
    }

    @Override
    public void end(Handler<AsyncResult<Void>> handler) {
        if (handler != null) {
            handler.handle(overflowed ? Future.failedFuture(new TooLargeException(limit)) : Future.succeededFuture());
        }
    }

    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
        return this;
    }

    @Override
    public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
        return this;
    }

    @Override
    public boolean writeQueueFull() {
        return false;
    }

    @Override
    public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
        return this;
    }
}
