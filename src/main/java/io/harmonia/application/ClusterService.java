package io.harmonia.application;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.runtime.cluster.ClusterView;
import io.harmonia.runtime.cluster.Ownership;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/** The cluster as Postgres holds it (replicas, who owns which partition), as the API shows it. */
@ApplicationScoped
public class ClusterService {
    private final Ownership ownership;

    public ClusterService(Ownership ownership) {
        this.ownership = ownership;
    }

    /** {@code GET /api/cluster}: answered by any replica ({@code replica_id} says which). */
    public Uni<JsonNode> view() {
        return ownership.view().map(ClusterService::json);
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
