package io.harmonia.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.config.ApiConfig;
import io.harmonia.config.EngineConfig;
import io.harmonia.domain.definition.Problem;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.domain.execution.ExecutionStatus;
import io.harmonia.application.BulkReplayService;
import io.harmonia.application.ExecutionService;
import io.harmonia.application.ReplayService;
import io.harmonia.messaging.PublicationLag;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/** Executions: {@code /api/executions}. */
@Path("/api/executions")
@Produces(MediaType.APPLICATION_JSON)
public class ExecutionResource {
    private static final Set<String> START_FIELDS = Set.of("workflow_id", "input", "version");

    private final ExecutionService executions;
    private final EngineConfig config;

    private final PublicationLag lag;
    @Inject
    ApiConfig api;

    public ExecutionResource(ExecutionService executions, EngineConfig config,
            PublicationLag lag) {
        this.executions = executions;
        this.config = config;
        this.lag = lag;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> start(JsonNode body, @RestHeader("Idempotency-Key") String idempotencyKey) {
        if (lag.overBound()) {
            // flow control: Kafka publication is too far behind; do not let the backlog grow without bound
            return Uni.createFrom().item(ProblemMappers.overloaded(lag));
        }
        List<Problem> problems = new ArrayList<>();
        if (body == null || !body.isObject()) {
            throw new BadRequest(422, "expected a JSON object with workflow_id and input",
                    List.of(new Problem("", "expected a JSON object with workflow_id and input")));
        }
        RequestChecks.unknownFields(body, START_FIELDS, problems);
        JsonNode wf = body.get("workflow_id");
        if (wf == null || !wf.isTextual() || !RequestChecks.isUuid(wf.asText())) {
            problems.add(new Problem("/workflow_id", "expected the id (a UUID) of a workflow, found "
                    + (wf == null ? "nothing" : Paging.shorten(wf.toString()))));
        }
        JsonNode version = body.get("version");
        if (version != null && !version.isNull() && (!version.isIntegralNumber() || !version.canConvertToInt()
                || version.intValue() < 1)) {
            problems.add(new Problem("/version", "expected a workflow version number from 1, found "
                    + Paging.shorten(version.toString())));
        }
        JsonNode input = body.has("input") ? body.get("input") : NullNode.getInstance();
        int size = input.toString().getBytes(StandardCharsets.UTF_8).length;
        if (size > config.maxExecutionInputBytes()) {
            throw new BadRequest(413, "the input is " + size + " bytes, above the limit of "
                    + config.maxExecutionInputBytes(), List.of(new Problem("/input", "the input is " + size
                    + " bytes, above the limit of " + config.maxExecutionInputBytes())));
        }
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 255)) {
            problems.add(new Problem("/headers/Idempotency-Key", "expected 1 to 255 characters, found "
                    + idempotencyKey.length()));
        }
        if (!problems.isEmpty()) {
            throw new BadRequest(422, problems.size() + " problem(s) in the start request", problems);
        }
        Integer v = version == null || version.isNull() ? null : version.intValue();
        return executions.start(wf.asText(), v, input, idempotencyKey).map(started -> {
            // the start answer is short (seed: execution_id and status); GET gives the whole view
            JsonNode view = started.view();
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            for (String f : List.of("execution_id", "workflow_id", "workflow_version", "status")) {
                out.set(f, view.get(f));
            }
            Response.ResponseBuilder rb = Response.created(URI.create("/api/executions/"
                    + out.path("execution_id").asText())).entity(out);
            if (started.replayed()) {
                rb.header("Idempotent-Replayed", "true");
            }
            return rb.build();
        });
    }

    @Inject
    io.harmonia.application.HistoryService history;

    /** The execution now (read model), or, with {@code ?at_sequence=N}, as it was right after its event N. */
    @GET
    @Path("/{id}")
    public Uni<JsonNode> get(@RestPath String id, @RestQuery("at_sequence") String atSequence) {
        return atSequence == null ? executions.view(id) : history.viewAt(id, atSequence);
    }

    @GET
    public Uni<JsonNode> list(@RestQuery String limit, @RestQuery String offset, @RestQuery String status,
            @RestQuery("workflow_id") String workflowId, @RestQuery String filter, @RestQuery String cursor,
            @RestQuery("parent_id") String parentId) {
        Paging paging = Paging.of(limit, offset, cursor, api);
        String s = status != null ? status : filter;
        if (s != null && !s.isBlank()) {
            s = s.trim().toUpperCase();
            try {
                ExecutionStatus.valueOf(s);
            } catch (IllegalArgumentException e) {
                throw BadRequest.of(status != null ? "/query/status" : "/query/filter", "expected one of "
                        + List.of(ExecutionStatus.values()) + ", found '" + Paging.shorten(s) + "'");
            }
        } else {
            s = null;
        }
        if (workflowId != null && !RequestChecks.isUuid(workflowId)) {
            throw BadRequest.of("/query/workflow_id", "expected a workflow id (a UUID), found '"
                    + Paging.shorten(workflowId) + "'");
        }
        if (parentId != null && !RequestChecks.isUuid(parentId)) {
            throw BadRequest.of("/query/parent_id", "expected an execution id (a UUID), found '"
                    + Paging.shorten(parentId) + "'");
        }
        return executions.list(s, workflowId, parentId, paging.limit(), paging.offset(), paging.after(),
                        api.maxExactTotal())
                .map(page -> {
                    ObjectNode o = JsonNodeFactory.instance.objectNode();
                    o.putArray("items").addAll(page.items());
                    return ListPages.withPaging(o, page, paging);
                });
    }

    @POST
    @Path("/{id}/cancel")
    public Uni<JsonNode> cancel(@RestPath String id) {
        return executions.cancel(id, "canceled by request").map(ExecutionResource::status);
    }

    @POST
    @Path("/{id}/terminate")
    public Uni<JsonNode> terminate(@RestPath String id) {
        return executions.cancel(id, "terminated by request").map(ExecutionResource::status);
    }

    @POST
    @Path("/{id}/pause")
    public Uni<JsonNode> pause(@RestPath String id) {
        return executions.pause(id).map(ExecutionResource::status);
    }

    @POST
    @Path("/{id}/suspend")
    public Uni<JsonNode> suspend(@RestPath String id) {
        return pause(id);
    }

    @POST
    @Path("/{id}/resume")
    public Uni<JsonNode> resume(@RestPath String id) {
        return executions.resume(id).map(ExecutionResource::status);
    }

    @Inject
    io.harmonia.application.ItemsService items;

    /** The items of a for_each task, in index order, a page at a time: {@code ?limit=&offset=}. */
    @GET
    @Path("/{id}/tasks/{taskId}/items")
    public Uni<JsonNode> items(@RestPath String id, @RestPath String taskId, @RestQuery String limit,
            @RestQuery String offset) {
        int max = Paging.number("limit", limit, 50, 1, Paging.MAX_LIMIT);
        int from = Paging.number("offset", offset, 0, 0, Integer.MAX_VALUE);
        return items.items(id, taskId, max, from);
    }

    /** The execution's event history, in order, a page at a time: {@code ?after=<sequence>&limit=}. */
    @GET
    @Path("/{id}/events")
    public Uni<JsonNode> events(@RestPath String id, @RestQuery String after, @RestQuery String limit) {
        int from = Paging.number("after", after, 0, 0, Integer.MAX_VALUE);
        int max = Paging.number("limit", limit, 100, 1, 1000);
        return executions.events(id, from + 1, max).map(events -> EventPages.of("execution_id", id, from, max, events));
    }

    private static JsonNode status(ExecutionState s) {
        return JsonNodeFactory.instance.objectNode().put("execution_id", s.executionId())
                .put("status", s.status().name());
    }


    // ---- replay, re-run, bulk replay ----

    @Inject
    ReplayService replays;
    @Inject
    BulkReplayService bulk;
    @Inject
    ObjectMapper mapper;

    private static final Set<String> REPLAY_FIELDS = Set.of("version", "input");
    private static final Set<String> RERUN_FIELDS = Set.of("from_task");

    /**
     * A new execution of the same workflow version with the same input, linked by {@code replay_of}; optionally
     * {@code {"version": n | "latest", "input": {...}}}.
     */
    @POST
    @Path("/{id}/replay")
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> replay(@RestPath String id, String text) throws JsonProcessingException {
        List<Problem> problems = new ArrayList<>();
        JsonNode b = optionalObject(text, "optional version and input", REPLAY_FIELDS, problems);
        ReplayService.Version version = ReplayService.Version.SAME;
        JsonNode v = b.get("version");
        if (v != null && !v.isNull()) {
            if (v.isTextual() && v.textValue().equals("latest")) {
                version = ReplayService.Version.LATEST;
            } else if (v.isIntegralNumber() && v.canConvertToInt() && v.intValue() >= 1) {
                version = new ReplayService.Version(v.intValue(), false);
            } else {
                problems.add(new Problem("/version", "expected a workflow version number from 1 or \"latest\","
                        + " found " + Paging.shorten(v.toString())));
            }
        }
        JsonNode input = b.get("input");
        if (input != null) {
            int size = input.toString().getBytes(StandardCharsets.UTF_8).length;
            if (size > config.maxExecutionInputBytes()) {
                throw new BadRequest(413, "the input is " + size + " bytes, above the limit of "
                        + config.maxExecutionInputBytes(), List.of(new Problem("/input", "the input is " + size
                        + " bytes, above the limit of " + config.maxExecutionInputBytes())));
            }
        }
        if (!problems.isEmpty()) {
            throw new BadRequest(422, problems.size() + " problem(s) in the replay request", problems);
        }
        return replays.replay(id, version, input).map(s -> Response.created(URI.create("/api/executions/"
                + s.executionId())).entity(((ObjectNode) ExecutionService.summary(s))
                .put("replay_of", s.lineage().replayOf())).build());
    }

    /**
     * Runs a finished execution again in place: {@code {"from_task": "b"}} re-runs b and everything downstream of
     * it; without from_task, what failed or was canceled and what it skipped.
     */
    @POST
    @Path("/{id}/rerun")
    @Consumes(MediaType.WILDCARD)
    public Uni<JsonNode> rerun(@RestPath String id, String text) throws JsonProcessingException {
        List<Problem> problems = new ArrayList<>();
        JsonNode b = optionalObject(text, "an optional from_task", RERUN_FIELDS, problems);
        JsonNode from = b.get("from_task");
        if (from != null && !from.isNull() && (!from.isTextual() || from.textValue().isBlank())) {
            problems.add(new Problem("/from_task", "expected the id of a task of the execution's workflow, found "
                    + Paging.shorten(from.toString())));
        }
        if (!problems.isEmpty()) {
            throw new BadRequest(422, problems.size() + " problem(s) in the re-run request", problems);
        }
        String fromTask = from == null || from.isNull() ? null : from.textValue();
        return replays.rerun(id, fromTask).map(r -> {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("execution_id", r.state().executionId());
            o.put("status", r.state().status().name());
            r.tasks().forEach(o.putArray("rerun_tasks")::add);
            o.put("from_task", r.fromTask());
            return o;
        });
    }

    /**
     * A bulk replay or re-run job over the executions a filter matches: 202 with the job id; its progress at
     * {@code /api/jobs/{job_id}}.
     */
    @POST
    @Path("/replay")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> bulkReplay(JsonNode body) {
        BulkReplayRequest request = BulkReplayRequest.parse(body, bulk.maxExecutions());
        return bulk.create(request.mode(), request.filterJson(), request.filter(), request.max())
                .map(job -> Response.accepted(JobResource.json(job)).location(URI.create("/api/jobs/" + job.id()))
                        .build());
    }

    /**
     * A body that may be absent (any content type, or none: an empty object then), else a JSON object (422
     * otherwise) whose fields outside {@code known} are added to {@code problems}.
     */
    private JsonNode optionalObject(String text, String expected, Set<String> known, List<Problem> problems)
            throws JsonProcessingException {
        JsonNode b = text == null || text.isBlank() ? null : mapper.readTree(text);
        if (b == null || b.isNull()) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (!b.isObject()) {
            throw new BadRequest(422, "expected a JSON object (or no body)", List.of(new Problem("",
                    "expected a JSON object with " + expected + ", found " + b.getNodeType())));
        }
        RequestChecks.unknownFields(b, known, problems);
        return b;
    }

}
