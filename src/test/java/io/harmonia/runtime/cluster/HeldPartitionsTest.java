package io.harmonia.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.harmonia.runtime.cluster.HeldPartitions.Held;
import io.harmonia.runtime.cluster.HeldPartitions.TakenUp;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The phases of a held partition: claimed, taken up, handed over, lost, and what each one answers. */
class HeldPartitionsTest {

    private final HeldPartitions held = new HeldPartitions(8);

    @Test
    void aClaimedPartitionHasItsEpochAtOnceButIsOwnedOnlyOnceTakenUp() {
        Held h = held.claimed(3, 7);
        assertThat(held.epoch(3)).isEqualTo(7);
        assertThat(held.owns(3)).isFalse();
        assertThat(held.next(0)).isEqualTo(-1);
        assertThat(held.holding()).isEqualTo(1);

        assertThat(held.takenUp(h, false)).isEqualTo(TakenUp.OWNED);
        assertThat(held.owns(3)).isTrue();
        assertThat(held.owned()).containsExactly(3);
        assertThat(held.next(0)).isEqualTo(3);
        assertThat(held.epoch(8)).isEqualTo(-1);
        assertThat(held.epoch(-1)).isEqualTo(-1);
    }

    @Test
    void newExecutionsGoRoundRobinAndNotToPartitionsBeingHandedOver() {
        Held a = held.claimed(1, 1);
        Held b = held.claimed(2, 1);
        Held c = held.claimed(5, 1);
        List.of(a, b, c).forEach(h -> held.takenUp(h, false));
        assertThat(List.of(held.next(0), held.next(0), held.next(0))).containsExactlyInAnyOrder(1, 2, 5);

        held.releasing(List.of(b));
        assertThat(held.owns(2)).as("still owned while handed over").isTrue();
        assertThat(held.epoch(2)).isEqualTo(1);
        for (int i = 0; i < 10; i++) {
            assertThat(held.next(i)).isIn(1, 5);
        }
        assertThat(held.holding()).isEqualTo(2);
        assertThat(held.givable()).extracting(h -> h.partition).containsExactly(5, 1);

        held.forget(b);
        assertThat(held.owns(2)).isFalse();
        assertThat(held.epoch(2)).isEqualTo(-1);
        assertThat(held.partitions()).containsExactly(1, 5);
    }

    @Test
    void anOwnedPartitionNotRenewedIsDroppedAtOnceOneBeingTakenUpWhenTheListenerIsDone() {
        Held owned = held.claimed(1, 4);
        held.takenUp(owned, false);
        Held coming = held.claimed(2, 9);
        Map<Integer, Held> asked = held.renewable();
        assertThat(asked).containsOnlyKeys(1, 2);

        assertThat(held.notRenewed(asked, Set.of())).containsExactly(1);
        assertThat(held.owns(1)).isFalse();
        assertThat(held.epoch(1)).isEqualTo(-1);
        assertThat(held.epoch(2)).as("its appends would be refused anyway").isEqualTo(-1);
        assertThat(held.lost(coming)).isTrue();
        assertThat(held.renewable()).isEmpty();
        assertThat(held.size()).isEqualTo(1);

        assertThat(held.takenUp(coming, false)).isEqualTo(TakenUp.LOST);
        held.forget(coming);
        assertThat(held.size()).isZero();
    }

    @Test
    void theDrainHandsOverWhatIsOwnedAndWhatIsBeingTakenUpOnceItIs() {
        Held owned = held.claimed(1, 1);
        held.takenUp(owned, false);
        Held coming = held.claimed(2, 1);
        assertThat(held.toDrain()).containsExactly(owned);
        assertThat(held.takenUp(coming, false)).isEqualTo(TakenUp.OWNED_RELEASE_NOW);
        Held late = held.claimed(3, 1);
        assertThat(held.takenUp(late, true)).as("claimed while draining").isEqualTo(TakenUp.OWNED_RELEASE_NOW);
    }

    @Test
    void forgettingAReplacedHoldingLeavesTheNewOneAlone() {
        Held old = held.claimed(4, 1);
        Held again = held.claimed(4, 2);
        held.forget(old);
        assertThat(held.epoch(4)).isEqualTo(2);
        assertThat(held.takenUp(again, false)).isEqualTo(TakenUp.OWNED);
        assertThat(held.owns(4)).isTrue();
    }
}
