package io.harmonia.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.application.HistoryService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestPath;

/**
 * {@code GET /api/executions/{id}/verify}: whether today's engine makes the decisions stored in the execution's
 * history (time travel, {@code ?at_sequence}, is on {@link ExecutionResource#get}).
 */
@Path("/api/executions/{id}/verify")
@Produces(MediaType.APPLICATION_JSON)
public class HistoryResource {

    private final HistoryService history;

    public HistoryResource(HistoryService history) {
        this.history = history;
    }

    @GET
    public Uni<JsonNode> verify(@RestPath String id) {
        return history.verify(id);
    }
}
