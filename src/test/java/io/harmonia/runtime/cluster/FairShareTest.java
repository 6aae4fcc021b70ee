package io.harmonia.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FairShareTest {

    @Test
    void oneReplicaOwnsEverything() {
        assertThat(FairShare.share(64, 1)).isEqualTo(64);
        assertThat(FairShare.ready(64, 1)).isEqualTo(64);
        assertThat(FairShare.toClaim(64, 1, 0)).isEqualTo(64);
    }

    @Test
    void sharesRoundUpSoThatTheyCoverEveryPartition() {
        assertThat(FairShare.share(64, 3)).isEqualTo(22);
        // 22 + 22 + 20: the third claims what is left, and nobody holds more than the share; so the third is ready
        // at 20 (at 21 it would never be ready: nobody gives a partition away at 22)
        assertThat(FairShare.ready(64, 3)).isEqualTo(20);
        assertThat(FairShare.toClaim(64, 3, 0)).isEqualTo(22);
        assertThat(FairShare.toGiveAway(64, 3, 22, true)).isZero();
        for (int live = 1; live <= 70; live++) {
            assertThat(FairShare.share(64, live) * live).as("%d replicas", live).isGreaterThanOrEqualTo(64);
            assertThat(FairShare.ready(64, live) * live).as("%d replicas", live).isLessThanOrEqualTo(64);
            // the stable split (every replica but one at the share, the last one with the rest) is ready everywhere
            int share = FairShare.share(64, live);
            int rest = 64 - (live - 1) * share;
            if (rest >= 0) {
                assertThat(rest).as("%d replicas", live).isGreaterThanOrEqualTo(FairShare.ready(64, live));
            }
        }
    }

    @Test
    void moreReplicasThanPartitionsEachWantOneAtMost() {
        assertThat(FairShare.share(4, 6)).isEqualTo(1);
        assertThat(FairShare.ready(4, 6)).isZero();
    }

    @Test
    void aScaleUpGivesAwayTheExcessOnlyWhenRebalancing() {
        assertThat(FairShare.toGiveAway(64, 2, 64, true)).isEqualTo(32);
        assertThat(FairShare.toGiveAway(64, 2, 64, false)).isZero();
        assertThat(FairShare.toClaim(64, 2, 64)).isZero();
    }

    @Test
    void noLiveReplicaCountsAsOne() {
        assertThat(FairShare.share(64, 0)).isEqualTo(64);
        assertThat(FairShare.ready(64, 0)).isEqualTo(64);
    }
}
