package io.harmonia.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.application.HttpTriggerFires;
import io.harmonia.application.TriggerFires;
import io.harmonia.application.TriggerService;
import io.harmonia.config.ApiConfig;
import io.harmonia.config.TriggerConfig;
import io.harmonia.messaging.PublicationLag;
import io.harmonia.projection.triggers.TriggerReadModel.TriggerRow;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/** Event triggers: {@code /api/triggers}, and {@code POST /api/triggers/{id}/fire} for HTTP triggers. */
@Path("/api/triggers")
@Produces(MediaType.APPLICATION_JSON)
public class TriggerResource {

    private final TriggerService triggers;
    private final HttpTriggerFires httpFires;
    private final PublicationLag lag;
    private final ApiConfig api;
    private final TriggerConfig config;

    public TriggerResource(TriggerService triggers, HttpTriggerFires httpFires, PublicationLag lag, ApiConfig api,
            TriggerConfig config) {
        this.triggers = triggers;
        this.httpFires = httpFires;
        this.lag = lag;
        this.api = api;
        this.config = config;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> create(JsonNode body) {
        return triggers.create(body).map(row -> Response.created(URI.create("/api/triggers/" + row.id()))
                .entity(view(row)).build());
    }

    @GET
    @Path("/{id}")
    public Uni<JsonNode> get(@RestPath String id) {
        return triggers.get(id).map(TriggerResource::view);
    }

    @GET
    public Uni<JsonNode> list(@RestQuery String limit, @RestQuery String offset, @RestQuery String cursor,
            @RestQuery("workflow_id") String workflowId) {
        Paging paging = Paging.of(limit, offset, cursor, api);
        if (workflowId != null && !RequestChecks.isUuid(workflowId)) {
            throw BadRequest.of("/query/workflow_id", "expected the id (a UUID) of a workflow, found '"
                    + (workflowId.length() > 80 ? workflowId.substring(0, 80) + "..." : workflowId) + "'");
        }
        return triggers.list(workflowId, paging.limit(), paging.offset(), paging.after(), api.maxExactTotal())
                .map(page -> {
                    ObjectNode o = JsonNodeFactory.instance.objectNode();
                    var items = o.putArray("items");
                    page.items().forEach(r -> items.add(view(r)));
                    return ListPages.withPaging(o, page, paging);
                });
    }

    @PUT
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<JsonNode> update(@RestPath String id, JsonNode body) {
        return triggers.update(id, body).map(TriggerResource::view);
    }

    @POST
    @Path("/{id}/pause")
    public Uni<JsonNode> pause(@RestPath String id) {
        return triggers.pause(id).map(TriggerResource::view);
    }

    @POST
    @Path("/{id}/resume")
    public Uni<JsonNode> resume(@RestPath String id) {
        return triggers.resume(id).map(TriggerResource::view);
    }

    @DELETE
    @Path("/{id}")
    public Uni<Response> delete(@RestPath String id) {
        return triggers.delete(id).replaceWith(Response.noContent().build());
    }

    /**
     * Fires an HTTP trigger with any JSON body: 201 with the execution it started (200 when the idempotency key had
     * started it already), 202 {@code {"outcome": "ignored"}} when the filter is false, 202 with the delivery for a
     * signal action.
     */
    @POST
    @Path("/{id}/fire")
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> fire(@RestPath String id, byte[] body, HttpServerRequest request) {
        byte[] raw = body == null ? new byte[0] : body;
        if (raw.length > config.maxFireBodyBytes()) {
            return Uni.createFrom().item(ProblemMappers.problem(413, ProblemTypes.of(413), "The body is too large",
                    "Expected a body of at most " + config.maxFireBodyBytes() + " bytes"
                            + " (harmonia.triggers.max-fire-body-bytes), found " + raw.length, List.of()));
        }
        if (lag.overBound()) {
            return Uni.createFrom().item(ProblemMappers.overloaded(lag));
        }
        Map<String, String> headers = new LinkedHashMap<>();
        request.headers().forEach(h -> headers.putIfAbsent(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
        Map<String, String> query = new LinkedHashMap<>();
        request.params().forEach(p -> query.putIfAbsent(p.getKey(), p.getValue()));
        return httpFires.fire(id, raw, headers, query).map(TriggerResource::fired);
    }

    private static Response fired(TriggerFires.Outcome o) {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("outcome", o.outcome());
        if (TriggerFires.Outcome.IGNORED.equals(o.outcome())) {
            return Response.accepted(body).build();
        }
        body.put("execution_id", o.executionId());
        body.put("again", o.again());
        if (o.execution() != null) {
            body.set("execution", o.execution());
        }
        if (o.delivered() != null) {
            body.put("signal", o.delivered().name()).put("signal_id", o.delivered().signalId())
                    .put("recorded", o.delivered().recorded());
            if (o.delivered().consumedBy() == null) {
                body.putNull("consumed_by");
            } else {
                body.put("consumed_by", o.delivered().consumedBy());
            }
            return Response.accepted(body).build();
        }
        return Response.status(o.again() ? 200 : 201).entity(body)
                .location(URI.create("/api/executions/" + o.executionId())).build();
    }

    /** A trigger as shown: id, status, its canonical spec, whether a secret is kept, its counters, times. */
    static JsonNode view(TriggerRow row) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("trigger_id", row.id());
        o.put("status", row.paused() ? "PAUSED" : "ACTIVE");
        o.setAll((ObjectNode) row.spec());
        if (row.spec().path("source").has("http")) {
            o.put("secret_set", row.secretSet());
        }
        ObjectNode stats = o.putObject("stats").put("fired", row.stats().fired()).put("ignored", row.stats().ignored())
                .put("failed", row.stats().failed());
        if (row.stats().lastFiredAt() == null) {
            stats.putNull("last_fired_at");
        } else {
            stats.put("last_fired_at", row.stats().lastFiredAt().toString());
        }
        o.put("created_at", row.createdAt().toString());
        o.put("updated_at", row.updatedAt().toString());
        return o;
    }
}
