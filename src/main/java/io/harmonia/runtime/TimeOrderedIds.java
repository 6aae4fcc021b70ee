package io.harmonia.runtime;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * UUID version 7 (RFC 9562): 48 bits of Unix time in milliseconds, then random bits. Ids made later sort later, as
 * UUIDs and as text, so the rows of new executions land at the end of the indexes that hold them (events by stream,
 * executions by id) instead of on a random page each: the pages being written stay in memory however large the
 * tables grow. A random UUID (version 4) made every append read a random index page back from disk once the
 * indexes outgrew Postgres' buffers.
 */
@ApplicationScoped
public class TimeOrderedIds {
    private final Clock clock;

    public TimeOrderedIds(Clock clock) {
        this.clock = clock;
    }

    public UUID next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long millis = clock.millis();
        long msb = (millis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL); // time, version 7, 12 random bits
        long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // variant 10, 62 random bits
        return new UUID(msb, lsb);
    }
}
