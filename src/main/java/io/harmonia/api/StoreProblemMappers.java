package io.harmonia.api;

import io.harmonia.eventstore.StoreAvailability;
import io.harmonia.eventstore.StoreFailures;
import io.harmonia.eventstore.StoreUnavailable;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * A request that cannot be carried out because Postgres cannot be reached is answered 503 problem+json with
 * {@code Retry-After}, logged once per outage (by {@link StoreAvailability}), not once per request; any other
 * unexpected failure is a logged 500. The failures the API expects have their own mappers ({@link ProblemMappers}).
 */
public class StoreProblemMappers {
    private static final Logger LOG = Logger.getLogger(StoreProblemMappers.class);

    private final StoreAvailability availability;

    public StoreProblemMappers(StoreAvailability availability) {
        this.availability = availability;
    }

    @ServerExceptionMapper
    public Response unavailable(StoreUnavailable e) {
        return serviceUnavailable(e.getMessage(), e.retryAfter().toSeconds());
    }

    /**
     * Every other failure: 503 when it means the database cannot be reached (a refused connection, a closed one, a
     * server shutting down), otherwise a 500 that says only that it is logged (with its stack trace).
     */
    @ServerExceptionMapper
    public Response unexpected(Exception e) {
        if (availability.failed(e)) {
            LOG.debugf("request refused, the database cannot be reached: %s", StoreFailures.describe(e));
            return serviceUnavailable("Expected to reach the database, but it cannot be reached ("
                    + StoreFailures.describe(e) + "); nothing was changed, retry after "
                    + availability.retryAfter().toSeconds() + " s", availability.retryAfter().toSeconds());
        }
        LOG.error("unexpected error", e);
        return ProblemMappers.problem(500, ProblemTypes.of(500), ProblemTypes.title(500),
                "An unexpected error occurred; it is logged", List.of());
    }

    private static Response serviceUnavailable(String detail, long retryAfterSeconds) {
        return ProblemMappers.problemBuilder(503, ProblemTypes.of(503), "The database cannot be reached", detail)
                .header("Retry-After", Math.max(1, retryAfterSeconds)).build();
    }
}
