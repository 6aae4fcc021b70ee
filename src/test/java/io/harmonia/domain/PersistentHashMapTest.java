package io.harmonia.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.harmonia.domain.execution.PersistentHashMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PersistentHashMapTest {

    /** A key whose hash is chosen, to force collisions. */
    record Key(String name, int hash) {
        @Override
        public int hashCode() {
            return hash;
        }
    }

    @Test
    void behavesLikeAHashMapUnderRandomChangesIncludingCollisionsAndOldVersionsStayUnchanged() {
        Random random = new Random(42);
        Map<Key, Integer> expected = new HashMap<>();
        PersistentHashMap<Key, Integer> actual = PersistentHashMap.empty();
        for (int i = 0; i < 20_000; i++) {
            // few distinct hashes (incl. ones equal in their low bits only) make collisions and deep paths common
            int h = random.nextInt(64) * (random.nextBoolean() ? 1 : 1 << 27);
            Key key = new Key("k" + random.nextInt(400), h);
            boolean checkpoint = i % 1000 == 0;
            PersistentHashMap<Key, Integer> before = actual;
            Map<Key, Integer> beforeExpected = checkpoint ? new HashMap<>(expected) : null;
            if (random.nextInt(3) == 0) {
                expected.remove(key);
                actual = actual.minus(key);
            } else {
                expected.put(key, i);
                actual = actual.plus(key, i);
            }
            if (actual.size() != expected.size() || !java.util.Objects.equals(actual.get(key), expected.get(key))) {
                throw new AssertionError("after change " + i + " of " + key + ": expected " + expected.get(key)
                        + " and size " + expected.size() + ", found " + actual.get(key) + " and " + actual.size());
            }
            if (checkpoint) {
                assertThat(actual.equals(expected)).as("equal at %d", i).isTrue();
                // persistence: the old version is untouched
                assertThat(before.equals(beforeExpected)).as("old version at %d", i).isTrue();
            }
        }
        assertThat(actual.equals(expected)).isTrue();
        for (Key k : expected.keySet()) {
            actual = actual.minus(k);
        }
        assertThat(actual).isEmpty();
    }
}
