package io.harmonia.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.application.ClusterService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET /api/cluster}: the replicas and who owns which partition, as Postgres holds them, answered by any
 * replica ({@code replica_id} says which).
 */
@Path("/api/cluster")
@Produces(MediaType.APPLICATION_JSON)
public class ClusterResource {

    private final ClusterService cluster;

    public ClusterResource(ClusterService cluster) {
        this.cluster = cluster;
    }

    @GET
    public Uni<JsonNode> get() {
        return cluster.view();
    }
}
