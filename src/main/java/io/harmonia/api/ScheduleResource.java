package io.harmonia.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.application.schedule.ScheduleService;
import io.harmonia.config.ApiConfig;
import io.harmonia.config.ScheduleConfig;
import io.harmonia.domain.schedule.ScheduleEvent.ScheduleFired;
import io.harmonia.domain.schedule.ScheduleState;
import io.harmonia.projection.schedules.ScheduleView;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.UUID;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/** Schedules (cron): {@code /api/schedules}. */
@Path("/api/schedules")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ScheduleResource {

    private final ScheduleService schedules;
    private final ScheduleConfig config;
    @Inject
    ApiConfig api;

    public ScheduleResource(ScheduleService schedules, ScheduleConfig config) {
        this.schedules = schedules;
        this.config = config;
    }

    @POST
    public Uni<Response> create(JsonNode body) {
        return schedules.create(body).map(s -> Response.created(URI.create("/api/schedules/" + s.scheduleId()))
                .entity(view(s)).build());
    }

    /** The schedule (deleted ones too, with status {@code deleted}): spec, next fire times, counts, recent fires. */
    @GET
    @Path("/{id}")
    public Uni<JsonNode> get(@RestPath String id) {
        return schedules.get(id).map(this::view);
    }

    /** Schedules that are not deleted, newest first; {@code ?workflow_id=} filters. */
    @GET
    public Uni<JsonNode> list(@RestQuery String limit, @RestQuery String offset, @RestQuery String cursor,
            @RestQuery("workflow_id") String workflowId) {
        Paging paging = Paging.of(limit, offset, cursor, api);
        String workflow = null;
        if (workflowId != null && !workflowId.isBlank()) {
            try {
                workflow = UUID.fromString(workflowId).toString();
            } catch (IllegalArgumentException e) {
                throw BadRequest.of("/query/workflow_id", "expected a workflow id (a UUID), found '"
                        + Paging.shorten(workflowId) + "'");
            }
        }
        return schedules.list(workflow, paging.limit(), paging.offset(), paging.after()).map(page -> {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            var items = o.putArray("items");
            page.items().forEach(s -> items.add(view(s)));
            return ListPages.withPaging(o, page, paging);
        });
    }

    /** Replaces the spec (every field; omitted ones take their defaults); next fires are computed from now. */
    @PUT
    @Path("/{id}")
    public Uni<JsonNode> update(@RestPath String id, JsonNode body) {
        return schedules.update(id, body).map(this::view);
    }

    @POST
    @Path("/{id}/pause")
    @Consumes(MediaType.WILDCARD)
    public Uni<JsonNode> pause(@RestPath String id) {
        return schedules.pause(id).map(this::view);
    }

    @POST
    @Path("/{id}/resume")
    @Consumes(MediaType.WILDCARD)
    public Uni<JsonNode> resume(@RestPath String id) {
        return schedules.resume(id).map(this::view);
    }

    @DELETE
    @Path("/{id}")
    public Uni<Response> delete(@RestPath String id) {
        return schedules.delete(id).replaceWith(Response.noContent().build());
    }

    /**
     * Fires now, outside the cron; the overlap policy applies. 201 with the execution when one started (Location:
     * the execution), 200 with the fire when it was skipped, buffered or failed to start.
     */
    @POST
    @Path("/{id}/trigger")
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> trigger(@RestPath String id) {
        return schedules.trigger(id).chain(t -> {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("schedule_id", t.state().scheduleId());
            ScheduleFired f = t.fire();
            o.set("fire", fire(f));
            if (f == null || !f.outcome().starts()) {
                return Uni.createFrom().item(Response.ok(o).build());
            }
            return schedules.execution(f.executionId()).map(v -> {
                o.set("execution", v);
                return Response.created(URI.create("/api/executions/" + f.executionId())).entity(o).build();
            });
        });
    }

    /** The schedule's event history, in order: {@code ?after=<sequence>&limit=}. */
    @GET
    @Path("/{id}/events")
    public Uni<JsonNode> events(@RestPath String id, @RestQuery String after, @RestQuery String limit) {
        int from = Paging.number("after", after, 0, 0, Integer.MAX_VALUE);
        int max = Paging.number("limit", limit, 100, 1, 1000);
        return schedules.events(id, from, max).map(events -> EventPages.of("schedule_id", id, from, max, events));
    }

    private JsonNode view(ScheduleState s) {
        return ScheduleView.of(s, config.nextFireTimes());
    }

    private static JsonNode fire(ScheduleFired f) {
        if (f == null) {
            return JsonNodeFactory.instance.nullNode();
        }
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("fire_time", f.fireTime().toString());
        o.put("execution_id", f.executionId());
        o.put("outcome", f.outcome().json());
        o.put("previous_execution_id", f.previousExecutionId());
        if (f.reason() != null) {
            o.put("reason", f.reason());
        }
        return o;
    }
}
