package io.harmonia.application.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.application.ExecutionService;
import io.harmonia.application.WorkflowService;
import io.harmonia.config.ApiConfig;
import io.harmonia.config.ScheduleConfig;
import io.harmonia.domain.definition.InvalidRequest;
import io.harmonia.domain.definition.Problem;
import io.harmonia.domain.schedule.ScheduleCommand;
import io.harmonia.domain.schedule.ScheduleDecider;
import io.harmonia.domain.schedule.ScheduleRejected;
import io.harmonia.domain.schedule.ScheduleSpec;
import io.harmonia.domain.schedule.ScheduleSpecReader;
import io.harmonia.domain.schedule.ScheduleState;
import io.harmonia.domain.workflow.WorkflowNotFound;
import io.harmonia.eventstore.PgEventStore;
import io.harmonia.eventstore.RecordedEvent;
import io.harmonia.eventstore.StreamIds;
import io.harmonia.projection.ListQuery;
import io.harmonia.projection.PageCursor;
import io.harmonia.projection.schedules.ScheduleReadModel;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.List;
import java.util.UUID;

/** What the schedules API asks: create, update, pause, resume, delete, trigger, and reads. */
@ApplicationScoped
public class ScheduleService {

    private final ScheduleCommits commits;
    private final ScheduleFiring firing;
    private final ScheduleReadModel readModel;
    private final WorkflowService workflows;
    private final ExecutionService executions;
    private final PgEventStore store;
    private final ScheduleConfig config;
    private final ApiConfig api;
    private final Clock clock;

    public ScheduleService(ScheduleCommits commits, ScheduleFiring firing, ScheduleReadModel readModel,
            WorkflowService workflows, ExecutionService executions, PgEventStore store, ScheduleConfig config,
            ApiConfig api, Clock clock) {
        this.commits = commits;
        this.firing = firing;
        this.readModel = readModel;
        this.workflows = workflows;
        this.executions = executions;
        this.store = store;
        this.config = config;
        this.api = api;
        this.clock = clock;
    }

    /** Creates a schedule (active, or paused when the body says so) after checking its spec and its workflow. */
    public Uni<ScheduleState> create(JsonNode body) {
        ScheduleSpecReader.Read read = ScheduleSpecReader.read(body, limits());
        String id = UUID.randomUUID().toString();
        return checked(read.spec()).chain(spec -> readModel.count().chain(n -> {
            if (n >= config.maxSchedules()) {
                return Uni.createFrom().failure(new ScheduleRejected("Expected fewer than "
                        + config.maxSchedules() + " schedules (harmonia.schedules.max-schedules), found " + n
                        + "; delete some first", null));
            }
            ScheduleCommand.Create create = new ScheduleCommand.Create(id, spec, read.paused(), clock.instant());
            return commits.commit(id, null, ScheduleDecider.decide(create, null));
        }));
    }

    /** Replaces the spec; the next fires are computed from now with the new cron. 409 when deleted. */
    public Uni<ScheduleState> update(String id, JsonNode body) {
        ScheduleSpecReader.Read read = ScheduleSpecReader.read(body, limits());
        return commits.load(id).chain(() -> checked(read.spec()))
                .chain(spec -> commits.decide(id, now -> new ScheduleCommand.Update(spec, now)));
    }

    public Uni<ScheduleState> get(String id) {
        return commits.load(id);
    }

    public Uni<ScheduleState> pause(String id) {
        return commits.decide(id, ScheduleCommand.Pause::new);
    }

    public Uni<ScheduleState> resume(String id) {
        return commits.decide(id, ScheduleCommand.Resume::new);
    }

    public Uni<ScheduleState> delete(String id) {
        return commits.decide(id, ScheduleCommand.Delete::new);
    }

    /** Fires now, outside the cron; the overlap policy applies. */
    public Uni<ScheduleFiring.Triggered> trigger(String id) {
        return firing.trigger(id);
    }

    /** The view of the execution a fire started. */
    public Uni<JsonNode> execution(String executionId) {
        return executions.view(executionId);
    }

    public Uni<ListQuery.Page<ScheduleState>> list(String workflowId, int limit, int offset, PageCursor after) {
        return readModel.list(workflowId, limit, offset, after, api.maxExactTotal());
    }

    /** A schedule's events after stream version {@code after}, at most {@code limit}; 404 for an unknown one. */
    public Uni<List<RecordedEvent>> events(String id, int after, int limit) {
        return commits.load(id).chain(() -> store.readStream(StreamIds.schedule(id), after + 1, limit));
    }

    /** The spec, with its workflow (and version) existing and its input valid for it: else 422 naming the field. */
    private Uni<ScheduleSpec> checked(ScheduleSpec spec) {
        return workflows.definition(spec.workflowId(), spec.version())
                .onFailure(WorkflowNotFound.class).transform(e -> new InvalidRequest("The schedule is invalid",
                        List.of(new Problem(spec.version() == null ? "/workflow_id" : "/version", e.getMessage()))))
                .map(wf -> {
                    try {
                        executions.checkInput(wf, spec.input());
                    } catch (InvalidRequest bad) {
                        throw new InvalidRequest("The schedule is invalid", bad.problems());
                    }
                    return spec;
                });
    }

    private ScheduleSpecReader.Limits limits() {
        return new ScheduleSpecReader.Limits(config.defaultCatchupWindow(), config.maxCatchupWindow(),
                api.maxNameLength());
    }
}
