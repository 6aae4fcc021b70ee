package io.harmonia.application;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
        byte[] h;
        try {
            h = MessageDigest.getInstance("SHA-256").digest(("replay:" + jobId + ":" + sourceId)
                    .getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
        long a = 0;
        long b = 0;
        for (int i = 0; i < 8; i++) {
            a = (a << 8) | (h[i] & 0xff);
            b = (b << 8) | (h[8 + i] & 0xff);
        }
        long time = UUID.fromString(jobId).getMostSignificantBits() & 0xFFFFFFFFFFFF0000L;
        long msb = time | 0x7000L | (a & 0x0FFFL);
        long lsb = (b & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }
}
