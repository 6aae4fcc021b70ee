package io.harmonia.eventstore;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness: DOWN while Postgres cannot be reached (requests would get 503), with how long and how much work waits
 * for it. While the store is believed available each check runs {@code select 1}, so an outage shows here even when
 * nothing else touched the database. Liveness stays UP during an outage on purpose: a restart cannot bring the
 * database back, and the waiting work is recorded when it is back.
 */
@Readiness
@ApplicationScoped
public class StoreHealth implements AsyncHealthCheck {
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    private final StoreAvailability availability;
    private final Pool pool;

    public StoreHealth(StoreAvailability availability, Pool pool) {
        this.availability = availability;
        this.pool = pool;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        Uni<Void> probe = !availability.available() ? Uni.createFrom().voidItem()
                : pool.query("select 1").execute().replaceWithVoid()
                        .ifNoItem().after(PROBE_TIMEOUT).fail()
                        .onFailure().invoke(availability::failed)
                        .onFailure().recoverWithNull();
        return probe.map(ignored -> {
            HealthCheckResponseBuilder b = HealthCheckResponse.named("Postgres event store")
                    .status(availability.available())
                    .withData("waiting_commands", availability.waitingCommands());
            if (!availability.available()) {
                b.withData("down_since", String.valueOf(availability.downSince()))
                        .withData("error", String.valueOf(availability.lastError()));
            }
            return b.build();
        });
    }
}
