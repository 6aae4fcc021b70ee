package io.harmonia.runtime.cluster;

import java.util.UUID;

/**
 * Which partition an execution belongs to: the low 32 bits of its id (random in every id Harmonia makes), as an
 * unsigned number, modulo the partition count. Postgres computes the same with {@link #sql}, so queries can select
 * the executions of some partitions without a stored column.
 */
public final class Partitioning {
    private static final long LOW32 = 0xffffffffL;

    private Partitioning() {}

    public static int of(String executionId, int partitions) {
        return of(UUID.fromString(executionId), partitions);
    }

    public static int of(UUID id, int partitions) {
        return (int) ((id.getLeastSignificantBits() & LOW32) % partitions);
    }

    /** {@code id} with its low 32 bits changed so that it falls in {@code partition}; the other bits are kept. */
    public static UUID into(UUID id, int partition, int partitions) {
        long low = id.getLeastSignificantBits() & LOW32;
        long moved = low - low % partitions + partition;
        if (moved > LOW32) {
            moved -= partitions;
        }
        return new UUID(id.getMostSignificantBits(), (id.getLeastSignificantBits() & ~LOW32) | moved);
    }

    /**
     * The SQL expression of an execution's partition, for a uuid column {@code column} and a bind parameter
     * {@code partitionsParam} (e.g. {@code "$2"}) holding the partition count.
     */
    public static String sql(String column, String partitionsParam) {
        return "(('x' || right(" + column + "::text, 8))::bit(32)::bigint % " + partitionsParam + ")";
    }
}
