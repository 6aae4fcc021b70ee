package io.harmonia.eventstore;

import io.smallrye.mutiny.Uni;
import java.util.function.Supplier;

/**
 * Where a {@link FeedLoop} resumes: loaded once when the loop starts, saved after each page was handed on. A durable
 * cursor is a row (the Kafka relay's {@link RelayCursor}, a webhook subscription's); an in-memory one starts at the
 * feed's tail and forgets ({@link #inMemory}).
 */
public interface FeedCursor {

    /** The position after which the loop reads first. */
    Uni<FeedPosition> load();

    /** Everything up to {@code position} (inclusive) was handed on. */
    Uni<Void> save(FeedPosition position);

    /** A cursor kept only by the loop itself: it starts where {@code start} says and saves nothing. */
    static FeedCursor inMemory(Supplier<Uni<FeedPosition>> start) {
        return new FeedCursor() {
            @Override
            public Uni<FeedPosition> load() {
                return Uni.createFrom().deferred(start::get);
            }

            @Override
            public Uni<Void> save(FeedPosition position) {
                return Uni.createFrom().voidItem();
            }
        };
    }
}
