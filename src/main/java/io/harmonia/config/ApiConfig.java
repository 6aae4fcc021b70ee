package io.harmonia.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Limits of the REST API: request lines and headers, names and filters, paging, idempotency keys. */
@ConfigMapping(prefix = "harmonia.api")
public interface ApiConfig {

    /**
     * Longest request URI (path and query) answered normally; a longer one gets 414 problem+json. Must stay below
     * {@code quarkus.http.limits.max-initial-line-length}: above that the HTTP decoder answers 414 itself, with an
     * empty body.
     */
    @WithDefault("8192")
    int maxUriLength();

    /**
     * Largest total size of the request headers (names and values, bytes); larger ones get 431 problem+json. Must
     * stay below {@code quarkus.http.limits.max-header-size}, above which the HTTP decoder answers with an empty
     * body.
     */
    @WithDefault("32768")
    int maxHeaderBytes();

    /** Longest workflow {@code name} (characters); a longer one is refused with 422. */
    @WithDefault("200")
    int maxNameLength();

    /** Longest {@code ?filter=} of the list endpoints (characters); a longer one is refused with 400. */
    @WithDefault("200")
    int maxFilterLength();

    /**
     * Largest {@code ?offset=} of the list endpoints. Offset paging costs Postgres every skipped row; deeper pages
     * are read with {@code ?cursor=} (keyset pagination, cost independent of the depth).
     */
    @WithDefault("10000")
    int maxOffset();

    /**
     * Lists count their matches exactly up to this many; above it {@code total} is an estimate (Postgres' planner
     * statistics) and {@code total_exact} is false, so that a list call never counts a whole large table.
     */
    @WithDefault("10000")
    int maxExactTotal();

    /** How long an {@code Idempotency-Key} is remembered; after that the key may be used for a new start. */
    @WithDefault("24h")
    Duration idempotencyKeyTtl();

    /** How often expired idempotency keys are deleted. */
    @WithDefault("10m")
    Duration idempotencySweepInterval();
}
