package io.harmonia.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aFullBucketGivesItsBurstAtOnceThenOneTokenPerPeriodInOrder() {
        TokenBucket bucket = new TokenBucket(10, 2, 0);
        assertThat(bucket.reserve(0)).isZero();
        assertThat(bucket.reserve(0)).isZero();
        // empty: the next tokens come 100 ms apart, queued in the order they were asked for
        assertThat(bucket.reserve(0)).isEqualTo(SECOND / 10);
        assertThat(bucket.reserve(0)).isEqualTo(2 * SECOND / 10);
    }

    @Test
    void tokensRefillWithTimeButNeverAboveTheBurst() {
        TokenBucket bucket = new TokenBucket(10, 2, 0);
        bucket.reserve(0);
        bucket.reserve(0);
        assertThat(bucket.reserve(SECOND / 10)).isZero();
        assertThat(bucket.reserve(100 * SECOND)).isZero();
        assertThat(bucket.reserve(100 * SECOND)).isZero();
        assertThat(bucket.reserve(100 * SECOND)).isEqualTo(SECOND / 10);
    }

    @Test
    void theRateHoldsOverALongRun() {
        TokenBucket bucket = new TokenBucket(50, 50, 0);
        long last = 0;
        for (int i = 0; i < 1050; i++) {
            last = bucket.reserve(0);
        }
        // 50 at once, then 1000 more at 50 per second: the last waits 20 s
        assertThat(last).isEqualTo(20 * SECOND);
    }

    @Test
    void aRateOfZeroIsRefused() {
        assertThatThrownBy(() -> new TokenBucket(0, 1, 0)).hasMessageContaining("above 0");
    }
}
