package io.harmonia.application;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.UUID;

/**
 * Execution ids derived from what starts the execution, so that the same cause started twice (a schedule's fire time
 * after a failover, a trigger's record delivered again, a bulk job's item retried) finds the stream taken instead of
 * starting a second execution. Shaped like {@code TimeOrderedIds} (version 7): the first 48 bits are a time (so ids
 * of one period land together at the end of the indexes), the rest comes from a SHA-256 of the name (and so does the
 * partition, from the low 32 bits).
 */
public final class ChosenIds {
    private ChosenIds() {}

    /** The id for {@code name} (e.g. {@code schedule:<id>:<fire time>}), with {@code time}'s milliseconds first. */
    public static String of(String name, Instant time) {
        return of(name, time.toEpochMilli() << 16);
    }

    /** As {@link #of(String, Instant)}, with the 48 time bits given as the top of {@code timeBits}. */
    static String of(String name, long timeBits) {
        byte[] h;
        try {
            h = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
        long a = 0;
        long b = 0;
        for (int i = 0; i < 8; i++) {
            a = (a << 8) | (h[i] & 0xff);
            b = (b << 8) | (h[8 + i] & 0xff);
        }
        long msb = (timeBits & 0xFFFFFFFFFFFF0000L) | 0x7000L | (a & 0x0FFFL);
        long lsb = (b & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }
}
