package io.harmonia.application;

import java.util.UUID;

/**
 * The id of the execution a bulk job makes when it replays a source: derived from the job and the source alone, so a
 * second attempt at the same item (after a crash, or by a second runner) finds the stream taken and fails as a
 * conflict instead of replaying it twice. Like the ids of {@code TimeOrderedIds} (version 7) it starts with the job's
 * time (the 48 time bits of the job's own version-7 id), so a job's replays land together at the end of the indexes;
 * the rest comes from a SHA-256 of the pair (and so does the partition, from the low 32 bits).
 */
final class ReplayIds {
    private ReplayIds() {}

    static String of(String jobId, String sourceId) {
        return ChosenIds.of("replay:" + jobId + ":" + sourceId, UUID.fromString(jobId).getMostSignificantBits());
    }
}
