package io.harmonia.application;

/**
 * A token bucket: {@code rate} tokens per second, at most {@code burst} saved up. {@link #reserve} takes a token and
 * tells how long to wait before using it (0 when one was there), so callers queue in order without a thread waiting.
 */
final class TokenBucket {
    private final double nanosPerToken;
    private final double burst;
    private double tokens;
    private long at;

    TokenBucket(double ratePerSecond, double burst, long nowNanos) {
        if (!(ratePerSecond > 0)) {
            throw new IllegalArgumentException("Expected a rate above 0 per second, found " + ratePerSecond);
        }
        this.nanosPerToken = 1e9 / ratePerSecond;
        this.burst = Math.max(1, burst);
        this.tokens = this.burst;
        this.at = nowNanos;
    }

    /** Takes a token; returns the nanoseconds from {@code nowNanos} until it may be used. */
    synchronized long reserve(long nowNanos) {
        if (nowNanos > at) {
            tokens = Math.min(burst, tokens + (nowNanos - at) / nanosPerToken);
            at = nowNanos;
        }
        tokens -= 1;
        return tokens >= 0 ? 0 : (long) Math.ceil(-tokens * nanosPerToken);
    }
}
