package io.harmonia.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Execution ids are UUID version 7: valid UUIDs whose text sorts in the order they were made. */
class TimeOrderedIdsTest {

    @Test
    void theyAreVersion7UuidsCarryingTheTime() {
        Instant at = Instant.parse("2026-11-22T01:02:03.456Z");
        UUID id = new TimeOrderedIds(Clock.fixed(at, ZoneOffset.UTC)).next();
        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
        assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(at.toEpochMilli());
        assertThat(UUID.fromString(id.toString())).isEqualTo(id);
    }

    @Test
    void laterIdsSortLaterAsTextAndNoneRepeats() {
        List<String> made = new ArrayList<>();
        for (long ms = 1_700_000_000_000L; ms < 1_700_000_000_000L + 2_000; ms += 7) {
            TimeOrderedIds ids = new TimeOrderedIds(Clock.fixed(Instant.ofEpochMilli(ms), ZoneOffset.UTC));
            made.add("execution-" + ids.next());
        }
        assertThat(made).isSorted();
        TimeOrderedIds sameMillisecond = new TimeOrderedIds(Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
        HashSet<UUID> distinct = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            distinct.add(sameMillisecond.next());
        }
        assertThat(distinct).hasSize(100_000);
    }
}
