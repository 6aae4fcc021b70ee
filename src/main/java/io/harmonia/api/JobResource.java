package io.harmonia.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.application.BulkReplayService;
import io.harmonia.application.JobFinished;
import io.harmonia.application.JobNotFound;
import io.harmonia.eventstore.BulkJobs;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Bulk replay jobs ({@code POST /api/executions/replay} creates them): progress, list, items, cancel. */
@Path("/api/jobs")
@Produces(MediaType.APPLICATION_JSON)
public class JobResource {
    private static final List<String> ITEM_STATES = List.of("PENDING", "DONE", "SKIPPED", "FAILED");

    private final BulkReplayService jobs;

    public JobResource(BulkReplayService jobs) {
        this.jobs = jobs;
    }

    @GET
    @Path("/{id}")
    public Uni<JsonNode> get(@RestPath String id) {
        return jobs.find(id).map(JobResource::json);
    }

    /** Jobs, newest first: {@code ?limit=&after=<job_id>} (the next page starts after {@code next_after}). */
    @GET
    public Uni<JsonNode> list(@RestQuery String limit, @RestQuery String after) {
        int max = Paging.number("limit", limit, 50, 1, Paging.MAX_LIMIT);
        String from = after == null || after.isBlank() ? null : after.trim();
        if (from != null) {
            try {
                java.util.UUID.fromString(from);
            } catch (IllegalArgumentException e) {
                throw BadRequest.of("/query/after", "expected the next_after of an earlier page (a job id), found '"
                        + Paging.shorten(from) + "'");
            }
        }
        return jobs.list(from, max).map(page -> {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            ArrayNode items = o.putArray("items");
            page.forEach(j -> items.add(summary(j)));
            o.put("limit", max);
            if (page.size() == max) {
                o.put("next_after", page.get(page.size() - 1).id());
            } else {
                o.putNull("next_after");
            }
            return o;
        });
    }

    /**
     * A job's items in order (the executions it selected, what became of each: the replay's id in
     * {@code result_id}): {@code ?state=DONE|SKIPPED|FAILED|PENDING&after=<position>&limit=}.
     */
    @GET
    @Path("/{id}/items")
    public Uni<JsonNode> items(@RestPath String id, @RestQuery String state, @RestQuery String after,
            @RestQuery String limit) {
        String s = null;
        if (state != null && !state.isBlank()) {
            s = state.trim().toUpperCase(Locale.ROOT);
            if (!ITEM_STATES.contains(s)) {
                throw BadRequest.of("/query/state", "expected one of " + ITEM_STATES + ", found '"
                        + Paging.shorten(state) + "'");
            }
        }
        int from = Paging.number("after", after, 0, 0, Integer.MAX_VALUE);
        int max = Paging.number("limit", limit, 100, 1, 1000);
        return jobs.items(id, s, from, max).map(list -> {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("job_id", id);
            ArrayNode items = o.putArray("items");
            for (BulkJobs.Item i : list) {
                ObjectNode item = items.addObject().put("position", i.position())
                        .put("execution_id", i.executionId()).put("state", i.state());
                item.put("result_id", i.resultId());
                item.put("reason", i.reason());
                time(item, "updated_at", i.updatedAt());
            }
            if (list.size() == max) {
                o.put("next_after", list.get(list.size() - 1).position());
            } else {
                o.putNull("next_after");
            }
            return o;
        });
    }

    @POST
    @Path("/{id}/cancel")
    public Uni<JsonNode> cancel(@RestPath String id) {
        return jobs.cancel(id).map(JobResource::json);
    }

    @ServerExceptionMapper
    public Response notFound(JobNotFound e) {
        return ProblemMappers.problem(404, ProblemTypes.of(404), "Job not found", e.getMessage(), List.of());
    }

    @ServerExceptionMapper
    public Response finished(JobFinished e) {
        ObjectNode body = ProblemMappers.body(409, "invalid-state", "The job has finished", e.getMessage(),
                List.of());
        body.put("job_status", e.status());
        return Response.status(409).type(ProblemMappers.PROBLEM_JSON).entity(body).build();
    }

    /** A job with its progress: matched, done, skipped (with reasons), failed, pending. */
    static ObjectNode json(BulkJobs.Job j) {
        ObjectNode o = summary(j);
        o.put("done", j.count("DONE")).put("skipped", j.count("SKIPPED")).put("failed", j.count("FAILED"))
                .put("pending", j.count("PENDING"));
        ArrayNode reasons = o.putArray("reasons");
        for (BulkJobs.Reason r : j.reasons()) {
            reasons.addObject().put("state", r.state()).put("reason", r.reason()).put("count", r.count());
        }
        o.put("owner", j.owner());
        time(o, "lease_until", j.leaseUntil());
        return o;
    }

    private static ObjectNode summary(BulkJobs.Job j) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("job_id", j.id()).put("mode", j.mode()).put("status", j.status());
        o.set("filter", j.filter());
        o.put("max", j.maxExecutions()).put("matched", j.matched());
        time(o, "created_at", j.createdAt());
        time(o, "updated_at", j.updatedAt());
        time(o, "finished_at", j.finishedAt());
        o.put("items", "/api/jobs/" + j.id() + "/items");
        o.put("results", "/api/jobs/" + j.id() + "/items?state=DONE");
        return o;
    }

    private static void time(ObjectNode o, String field, Instant t) {
        if (t == null) {
            o.putNull(field);
        } else {
            o.put(field, t.toString());
        }
    }
}
