package io.harmonia.runtime;

import io.harmonia.config.RuntimeConfig;
import io.harmonia.eventstore.StoreAvailability;
import io.harmonia.projection.executions.ExecutionReadModel;
import io.harmonia.runtime.cluster.Handover;
import io.harmonia.runtime.cluster.Ownership;
import io.harmonia.runtime.cluster.PartitionListener;
import io.harmonia.runtime.cluster.Partitioning;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * What the runtime does when this replica's partitions change. Acquiring a partition takes up its unfinished
 * executions that need a driver now (something running, or a timer within the horizon); the others stay in their
 * rows until {@link TimerScan} finds their timer near. Losing one forgets its executions. Releasing one (a handover)
 * stops sending new attempts in it and waits until none of its attempts is in flight here, then tells the next owner
 * which attempts were recorded as started but never sent.
 */
@ApplicationScoped
public class PartitionRuntime implements PartitionListener {
    private static final Logger LOG = Logger.getLogger(PartitionRuntime.class);
    private static final long HANDOVER_POLL_MS = 20;

    private final ExecutionEngine engine;
    private final ExecutionReadModel readModel;
    private final RuntimeConfig config;
    private final Ownership ownership;
    private final StoreAvailability availability;
    private final Vertx vertx;
    private final Clock clock;

    public PartitionRuntime(ExecutionEngine engine, ExecutionReadModel readModel, RuntimeConfig config,
            Ownership ownership, StoreAvailability availability, Vertx vertx, Clock clock) {
        this.engine = engine;
        this.readModel = readModel;
        this.config = config;
        this.ownership = ownership;
        this.availability = availability;
        this.vertx = vertx;
        this.clock = clock;
    }

    /** Registers with the ownership loop before it starts, and fills partitions of executions from older versions. */
    void onStart(@Observes @Priority(10) StartupEvent ignored) {
        ownership.listen(this);
        availability.untilRecorded(() -> readModel.fillPartitions(Partitioning.sql("id", "$1"),
                        ownership.partitions()))
                .subscribe().with(n -> {
                    if (n > 0) {
                        LOG.infof("gave %d unfinished executions from before partitions their partition", n);
                    }
                }, err -> LOG.errorf("could not give older executions their partition: %s", err.toString()));
    }

    @Override
    public Uni<Void> acquired(int partition, long epoch, Handover handover) {
        engine.acquired(partition, epoch);
        Map<String, Set<String>> unsent = handover.undispatched().stream()
                .collect(Collectors.groupingBy(Handover.Attempt::executionId,
                        Collectors.mapping(a -> Lane.attemptKey(a.taskId(), a.run(), a.attempt()),
                                Collectors.toSet())));
        return availability.untilRecorded(() -> readModel.toTakeUp(partition,
                        clock.instant().plus(config.timerHorizon())))
                .chain(ids -> TakeUps.all(ids, config.takeUpConcurrency(),
                        id -> engine.takeOver(id, handover.clean(), unsent.getOrDefault(id, Set.of())),
                        " of partition " + partition))
                .invoke(n -> {
                    engine.takenUp(partition);
                    if (n > 0) {
                        LOG.debugf("partition %d: took up %d executions (%s handover)", partition, n,
                                handover.clean() ? "clean" : "no clean");
                    }
                })
                .replaceWithVoid();
    }

    @Override
    public void lost(int partition) {
        engine.drop(partition);
    }

    @Override
    public Uni<Handover> release(int partition) {
        engine.hold(partition);
        return Uni.createFrom().emitter(emitter -> waitUntilQuiet(partition, () -> {
            emitter.complete(new Handover(true, engine.unsent(partition)));
        }));
    }

    private void waitUntilQuiet(int partition, Runnable then) {
        if (engine.inFlight(partition) == 0) {
            then.run();
        } else {
            vertx.setTimer(HANDOVER_POLL_MS, id -> waitUntilQuiet(partition, then));
        }
    }
}
