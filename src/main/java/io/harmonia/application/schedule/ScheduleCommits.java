package io.harmonia.application.schedule;

import io.harmonia.application.ChosenIds;
import io.harmonia.domain.schedule.ScheduleCommand;
import io.harmonia.domain.schedule.ScheduleDecider;
import io.harmonia.domain.schedule.ScheduleEvent;
import io.harmonia.domain.schedule.ScheduleEvolver;
import io.harmonia.domain.schedule.ScheduleNotFound;
import io.harmonia.domain.schedule.ScheduleState;
import io.harmonia.eventstore.ConcurrencyConflict;
import io.harmonia.eventstore.PgEventStore;
import io.harmonia.eventstore.StreamIds;
import io.harmonia.projection.schedules.ScheduleReadModel;
import io.harmonia.runtime.cluster.Ownership;
import io.harmonia.runtime.cluster.Partitioning;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * Load a schedule, decide, append: the schedule's events go to its stream with the expected version of the state
 * they were decided on, and the read model row (the state after them) is written in the same transaction. A writer
 * that lost a race gets {@link ConcurrencyConflict}.
 */
@ApplicationScoped
public class ScheduleCommits {
    /** How many times a command is decided again after losing a race (a fire appended between load and append). */
    static final int ATTEMPTS = 5;

    private final Pool pool;
    private final PgEventStore store;
    private final ScheduleReadModel readModel;
    private final Ownership ownership;
    private final Clock clock;

    public ScheduleCommits(Pool pool, PgEventStore store, ScheduleReadModel readModel, Ownership ownership,
            Clock clock) {
        this.pool = pool;
        this.store = store;
        this.readModel = readModel;
        this.ownership = ownership;
        this.clock = clock;
    }

    /** The state of a schedule, deleted or not; {@link ScheduleNotFound} for an unknown (or malformed) id. */
    public Uni<ScheduleState> load(String scheduleId) {
        try {
            UUID.fromString(scheduleId);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(new ScheduleNotFound(scheduleId));
        }
        return readModel.state(scheduleId).map(s -> s.orElseThrow(() -> new ScheduleNotFound(scheduleId)));
    }

    /** Appends {@code events} decided on {@code before} (null for a new schedule); returns the state after them. */
    public Uni<ScheduleState> commit(String scheduleId, ScheduleState before, List<ScheduleEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().item(before);
        }
        ScheduleState after = before;
        for (ScheduleEvent e : events) {
            after = ScheduleEvolver.evolve(after, e);
        }
        ScheduleState saved = after;
        long expected = before == null ? 0 : before.version();
        return pool.withTransaction(tx -> store.append(tx, StreamIds.schedule(scheduleId), expected, events)
                .chain(() -> readModel.saved(tx, saved, partitionOf(scheduleId)))).replaceWith(saved);
    }

    /**
     * Decides {@code command} (made from the current time) on the schedule's latest state and appends the events,
     * deciding again on the newer state when another writer appended first.
     */
    public Uni<ScheduleState> decide(String scheduleId, Function<Instant, ScheduleCommand> command) {
        return decide(scheduleId, command, ATTEMPTS);
    }

    private Uni<ScheduleState> decide(String scheduleId, Function<Instant, ScheduleCommand> command, int attempts) {
        return load(scheduleId).chain(s -> commit(scheduleId, s, ScheduleDecider.decide(command.apply(clock.instant()), s)))
                .onFailure(ConcurrencyConflict.class).recoverWithUni(conflict -> attempts > 1
                        ? decide(scheduleId, command, attempts - 1) : Uni.createFrom().failure(conflict));
    }

    /** The partition of a schedule: its owner fires it. */
    public int partitionOf(String scheduleId) {
        return Partitioning.of(scheduleId, ownership.partitions());
    }

    /** Whether this replica owns the schedule's partition. */
    public boolean owns(String scheduleId) {
        return ownership.owns(partitionOf(scheduleId));
    }

    /**
     * The execution a fire starts: an id derived from the schedule and the fire time (so that a second replica, or
     * the same after a crash, finds it taken), moved into the schedule's partition (so the schedule's owner drives
     * it). A manual trigger gets another name than a cron fire at the same instant.
     */
    public String executionIdFor(String scheduleId, Instant fireTime, boolean manual) {
        String name = "schedule:" + scheduleId + ":" + (manual ? "manual:" : "") + fireTime;
        UUID id = UUID.fromString(ChosenIds.of(name, fireTime));
        return Partitioning.into(id, partitionOf(scheduleId), ownership.partitions()).toString();
    }
}
