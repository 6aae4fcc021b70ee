package io.harmonia.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.runtime.cluster.ClusterView;
import io.harmonia.runtime.cluster.Ownership;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;

/**
 * {@code GET /api/cluster}: the replicas and who owns which partition, as Postgres holds them, answered by any
 * replica ({@code replica_id} says which).
 */
@Path("/api/cluster")
@Produces(MediaType.APPLICATION_JSON)
public class ClusterResource {

    private final Ownership ownership;

    public ClusterResource(Ownership ownership) {
        this.ownership = ownership;
    }

    @GET
    public Uni<JsonNode> get() {
        return ownership.view().map(ClusterResource::json);
    }

    private static JsonNode json(ClusterView v) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("replica_id", v.replicaId());
        o.put("partition_count", v.partitionCount());
        var replicas = o.putArray("replicas");
        for (ClusterView.Replica r : v.replicas()) {
            replicas.addObject().put("replica_id", r.replicaId()).put("host", r.host())
                    .put("heartbeat_at", text(r.heartbeatAt())).put("draining", r.draining())
                    .put("partitions_owned", r.partitionsOwned());
        }
        var partitions = o.putArray("partitions");
        for (ClusterView.Partition p : v.partitions()) {
            partitions.addObject().put("partition", p.partition()).put("owner", p.owner()).put("epoch", p.epoch())
                    .put("lease_until", text(p.leaseUntil()));
        }
        return o;
    }

    private static String text(Instant t) {
        return t == null ? null : t.toString();
    }
}
