package io.harmonia.application;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.config.HistoryConfig;
import io.harmonia.eventstore.BulkJobs;
import io.harmonia.runtime.TimeOrderedIds;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.List;
import java.util.UUID;

/**
 * Bulk replays and re-runs: a job selects the executions its filter matches when it is created; the
 * {@link BulkJobRunner} of some replica works through them.
 */
@ApplicationScoped
public class BulkReplayService {
    /** Replays each matched execution as a new one. */
    public static final String REPLAY = "replay";
    /** Re-runs what failed in each matched execution, in place. */
    public static final String RERUN_FAILED = "rerun_failed";
    public static final List<String> MODES = List.of(REPLAY, RERUN_FAILED);

    private final BulkJobs jobs;
    private final TimeOrderedIds ids;
    private final HistoryConfig config;
    private final BulkJobRunner runner;
    private final Clock clock;

    public BulkReplayService(BulkJobs jobs, TimeOrderedIds ids, HistoryConfig config, BulkJobRunner runner,
            Clock clock) {
        this.jobs = jobs;
        this.ids = ids;
        this.config = config;
        this.runner = runner;
        this.clock = clock;
    }

    /** The most executions one job may select (harmonia.history.bulk-max-executions). */
    public int maxExecutions() {
        return config.bulkMaxExecutions();
    }

    /** Creates a job (its items selected now) and has this replica's runner look for work at once. */
    public Uni<BulkJobs.Job> create(String mode, JsonNode filterJson, BulkJobs.Filter filter, int max) {
        String id = ids.next().toString();
        return jobs.create(id, mode, filterJson, filter, max, clock.instant())
                .chain(matched -> find(id))
                .invoke(runner::wake);
    }

    public Uni<BulkJobs.Job> find(String id) {
        return validId(id).chain(() -> jobs.find(id)).map(j -> j.orElseThrow(() -> new JobNotFound(id)));
    }

    /** Jobs, newest first, after {@code afterId} (a job id, or null). */
    public Uni<List<BulkJobs.Job>> list(String afterId, int limit) {
        return afterId == null ? jobs.list(null, limit) : validId(afterId).chain(() -> jobs.list(afterId, limit));
    }

    /** A job's items after {@code afterPosition}, with {@code state} (all when null). */
    public Uni<List<BulkJobs.Item>> items(String id, String state, int afterPosition, int limit) {
        return find(id).chain(j -> jobs.items(id, state, afterPosition, limit));
    }

    /** Cancels a PENDING or RUNNING job (its runner stops before its next item); 409 once it has finished. */
    public Uni<BulkJobs.Job> cancel(String id) {
        return validId(id).chain(() -> jobs.cancel(id)).chain(status -> {
            String s = status.orElseThrow(() -> new JobNotFound(id));
            if (!s.equals("CANCELED")) {
                return Uni.createFrom().failure(new JobFinished(id, s));
            }
            return find(id);
        });
    }

    private static Uni<Void> validId(String id) {
        try {
            UUID.fromString(id);
            return Uni.createFrom().voidItem();
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(new JobNotFound(id));
        }
    }
}
