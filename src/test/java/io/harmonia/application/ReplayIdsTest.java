package io.harmonia.application;

import static org.assertj.core.api.Assertions.assertThat;

import io.harmonia.runtime.TimeOrderedIds;
import java.time.Clock;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ReplayIdsTest {
    private final TimeOrderedIds ids = new TimeOrderedIds(Clock.systemUTC());

    @Test
    void theSameJobAndSourceAlwaysGiveTheSameIdAndAnyOtherPairAnother() {
        String job = ids.next().toString();
        String source = ids.next().toString();
        assertThat(ReplayIds.of(job, source)).isEqualTo(ReplayIds.of(job, source));
        assertThat(ReplayIds.of(job, ids.next().toString())).isNotEqualTo(ReplayIds.of(job, source));
        assertThat(ReplayIds.of(ids.next().toString(), source)).isNotEqualTo(ReplayIds.of(job, source));
    }

    @Test
    void aReplayIdIsAVersion7IdWithTheJobsTime() {
        UUID job = ids.next();
        UUID id = UUID.fromString(ReplayIds.of(job.toString(), ids.next().toString()));
        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
        assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(job.getMostSignificantBits() >>> 16);
    }
}
