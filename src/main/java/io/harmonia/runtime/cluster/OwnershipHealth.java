package io.harmonia.runtime.cluster;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness "partition ownership": DOWN until this replica has owned its share of the partitions (partitions / live
 * replicas, rounded down) once, so that a rolling update waits for a new replica to take its share before stopping
 * the next old one; DOWN again while it drains at shutdown. It does not go DOWN when the share grows because another
 * replica died: every replica would then be unready at once until the dead one's leases expire, although any
 * replica serves any request.
 */
@Readiness
@ApplicationScoped
public class OwnershipHealth implements AsyncHealthCheck {

    private final Ownership ownership;

    public OwnershipHealth(Ownership ownership) {
        this.ownership = ownership;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        Ownership.Status s = ownership.status();
        return Uni.createFrom().item(HealthCheckResponse.named("partition ownership").status(s.ready())
                .withData("replica_id", s.replicaId())
                .withData("owned", s.owned())
                .withData("share", s.share())
                .withData("ready_at", s.readyAt())
                .withData("live_replicas", s.liveReplicas())
                .withData("draining", s.draining())
                .build());
    }
}
