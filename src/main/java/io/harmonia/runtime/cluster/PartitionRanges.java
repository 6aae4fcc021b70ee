package io.harmonia.runtime.cluster;

import java.util.Collection;
import java.util.TreeSet;

/** Partition numbers for a log line, runs folded: {@code [0-31, 40, 42-43]}. */
final class PartitionRanges {
    private PartitionRanges() {}

    static String of(Collection<Integer> partitions) {
        StringBuilder b = new StringBuilder("[");
        Integer start = null;
        Integer last = null;
        for (int p : new TreeSet<>(partitions)) {
            if (last != null && p == last + 1) {
                last = p;
                continue;
            }
            append(b, start, last);
            start = p;
            last = p;
        }
        append(b, start, last);
        return b.append(']').toString();
    }

    private static void append(StringBuilder b, Integer start, Integer last) {
        if (start == null) {
            return;
        }
        if (b.length() > 1) {
            b.append(", ");
        }
        b.append(start);
        if (!start.equals(last)) {
            b.append('-').append(last);
        }
    }
}
