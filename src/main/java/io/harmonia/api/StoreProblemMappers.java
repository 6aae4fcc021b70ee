package io.harmonia.api;

import io.harmonia.eventstore.StoreAvailability;
import io.harmonia.eventstore.StoreFailures;
import io.harmonia.eventstore.StoreUnavailable;
import io.vertx.core.VertxException;
import io.vertx.sqlclient.DatabaseException;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.List;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * A request that cannot be carried out because Postgres cannot be reached is answered 503 problem+json with
 * {@code Retry-After}, logged once per outage (by {@link StoreAvailability}), not once per request.
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

    @ServerExceptionMapper
    public Response vertx(VertxException e) {
        return unreachableOrInternal(e);
    }

    @ServerExceptionMapper
    public Response database(DatabaseException e) {
        return unreachableOrInternal(e);
    }

    @ServerExceptionMapper
    public Response io(IOException e) {
        return unreachableOrInternal(e);
    }

    @ServerExceptionMapper
    public Response checked(Exception e) {
        return unreachableOrInternal(e);
    }

    private Response unreachableOrInternal(Throwable e) {
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
