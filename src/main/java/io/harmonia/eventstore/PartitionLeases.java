package io.harmonia.eventstore;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;

/** STUB (replaced by the lease branch). */
@ApplicationScoped
public class PartitionLeases {
    public Uni<Void> fence(SqlClient tx, String replicaId, int[] partitions, long[] epochs) {
        return Uni.createFrom().voidItem();
    }
}
