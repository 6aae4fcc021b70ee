package io.harmonia.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PartitionRangesTest {

    @Test
    void runsAreFolded() {
        assertThat(PartitionRanges.of(List.of())).isEqualTo("[]");
        assertThat(PartitionRanges.of(List.of(5))).isEqualTo("[5]");
        assertThat(PartitionRanges.of(List.of(3, 0, 1, 2, 40, 43, 42))).isEqualTo("[0-3, 40, 42-43]");
    }
}
