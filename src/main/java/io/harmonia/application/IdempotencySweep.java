package io.harmonia.application;

import io.harmonia.config.ApiConfig;
import io.harmonia.eventstore.IdempotencyKeys;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import org.jboss.logging.Logger;

/** Deletes expired idempotency keys every {@link ApiConfig#idempotencySweepInterval()} (expired keys are also ignored on lookup). */
@ApplicationScoped
public class IdempotencySweep {
    private static final Logger LOG = Logger.getLogger(IdempotencySweep.class);

    private final IdempotencyKeys keys;
    private final ApiConfig config;
    private final Clock clock;
    private final Vertx vertx;

    public IdempotencySweep(IdempotencyKeys keys, ApiConfig config, Clock clock, Vertx vertx) {
        this.keys = keys;
        this.config = config;
        this.clock = clock;
        this.vertx = vertx;
    }

    void onStart(@Observes StartupEvent ignored) {
        vertx.setPeriodic(Math.max(1000, config.idempotencySweepInterval().toMillis()),
                id -> sweep().subscribe().with(
                        n -> LOG.debugf("deleted %d expired idempotency keys", n),
                        e -> LOG.warnf("could not delete expired idempotency keys (retried in %s): %s",
                                config.idempotencySweepInterval(), e.toString())));
    }

    /** Deletes the expired keys now; how many. */
    public Uni<Integer> sweep() {
        return keys.sweep(clock.instant().minus(config.idempotencyKeyTtl()));
    }
}
