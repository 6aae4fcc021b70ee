package io.harmonia.domain.definition;

import java.util.Set;

/**
 * How a task is retried.
 *
 * @param maxAttempts total attempts, the first included (1 = no retry)
 * @param initialDelayMs delay before the second attempt
 * @param backoffFactor each further delay is the previous one times this factor
 * @param maxDelayMs upper bound of one delay
 * @param jitter when true a delay is drawn uniformly from [delay/2, delay] ("equal jitter")
 * @param retriableErrors error types that are retried; empty = the component's own verdict
 */
public record RetryPolicy(
        int maxAttempts,
        long initialDelayMs,
        double backoffFactor,
        long maxDelayMs,
        boolean jitter,
        Set<String> retriableErrors) {

    public static final long DEFAULT_INITIAL_DELAY_MS = 1_000;
    public static final double DEFAULT_BACKOFF_FACTOR = 2.0;
    public static final long DEFAULT_MAX_DELAY_MS = 300_000;

    public static final RetryPolicy NONE = new RetryPolicy(1, DEFAULT_INITIAL_DELAY_MS, DEFAULT_BACKOFF_FACTOR,
            DEFAULT_MAX_DELAY_MS, true, Set.of());

    /** {@code "retry": 3} means three retries after the first attempt, with the default backoff. */
    public static RetryPolicy ofRetries(int retries) {
        return new RetryPolicy(retries + 1, DEFAULT_INITIAL_DELAY_MS, DEFAULT_BACKOFF_FACTOR, DEFAULT_MAX_DELAY_MS,
                true, Set.of());
    }

    /** Whether a failure of the given type, after the given attempt, is retried. */
    public boolean retries(int failedAttempt, String errorType, boolean componentSaysRetriable) {
        if (failedAttempt >= maxAttempts) {
            return false;
        }
        return retriableErrors.isEmpty() ? componentSaysRetriable : retriableErrors.contains(errorType);
    }

    /**
     * The delay before the attempt after {@code failedAttempt}.
     *
     * @param random a number in [0, 1), passed in so the decision stays pure
     */
    public long delayMs(int failedAttempt, double random) {
        double base = initialDelayMs * Math.pow(backoffFactor, Math.max(0, failedAttempt - 1));
        long capped = (long) Math.min(base, (double) maxDelayMs);
        if (!jitter) {
            return capped;
        }
        return capped / 2 + (long) (random * (capped - capped / 2));
    }
}
