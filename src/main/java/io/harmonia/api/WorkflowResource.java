package io.harmonia.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.config.ApiConfig;
import io.harmonia.domain.definition.DefinitionJson;
import io.harmonia.application.WorkflowService;
import io.harmonia.projection.workflows.WorkflowReadModel.WorkflowRow;
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
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/** Workflow definitions: {@code /api/workflows}. */
@Path("/api/workflows")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class WorkflowResource {

    private final WorkflowService workflows;
    @Inject
    ApiConfig api;

    public WorkflowResource(WorkflowService workflows) {
        this.workflows = workflows;
    }

    @POST
    public Uni<Response> create(JsonNode body) {
        return workflows.create(body).map(row -> Response.created(URI.create("/api/workflows/" + row.id()))
                .entity(withTimes(row)).build());
    }

    /** The latest version, or {@code ?version=n}: every version stays readable. */
    @GET
    @Path("/{id}")
    public Uni<JsonNode> get(@RestPath String id, @RestQuery String version) {
        if (version == null || version.isBlank()) {
            return workflows.existing(id).map(WorkflowResource::withTimes);
        }
        int n = Paging.number("version", version, 1, 1, Integer.MAX_VALUE);
        return workflows.existingVersion(id, n).map(WorkflowResource::withTimes);
    }

    /** Every version, oldest first, without definitions: {@code ?after=<version>&limit=} (100, at most 1000). */
    @GET
    @Path("/{id}/versions")
    public Uni<JsonNode> versions(@RestPath String id, @RestQuery String after, @RestQuery String limit) {
        int from = Paging.number("after", after, 0, 0, Integer.MAX_VALUE);
        int max = Paging.number("limit", limit, 100, 1, 1000);
        return workflows.versions(id, from, max).map(list -> {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("workflow_id", id);
            var items = o.putArray("items");
            for (var v : list) {
                ObjectNode item = items.addObject().put("version", v.version()).put("name", v.name());
                if (v.description() != null) {
                    item.put("description", v.description());
                }
                item.put("defined_at", v.definedAt().toString());
            }
            if (list.size() == max) {
                o.put("next_after", list.get(list.size() - 1).version());
            } else {
                o.putNull("next_after");
            }
            return o;
        });
    }

    @PUT
    @Path("/{id}")
    public Uni<JsonNode> update(@RestPath String id, JsonNode body) {
        return workflows.update(id, body).map(WorkflowResource::withTimes);
    }

    @DELETE
    @Path("/{id}")
    public Uni<Response> delete(@RestPath String id) {
        return workflows.delete(id).replaceWith(Response.noContent().build());
    }

    @GET
    public Uni<JsonNode> list(@RestQuery String limit, @RestQuery String offset, @RestQuery String filter,
            @RestQuery String cursor) {
        Paging paging = Paging.of(limit, offset, cursor, api);
        String name = filter == null || filter.isBlank() ? null : checkedFilter(filter);
        return workflows.list(name, paging.limit(), paging.offset(), paging.after(), api.maxExactTotal())
                .map(page -> {
                    ObjectNode o = JsonNodeFactory.instance.objectNode();
                    page.items().forEach(r -> o.withArray("items").add(withTimes(r)));
                    o.withArray("items");
                    return ListPages.withPaging(o, page, paging);
                });
    }

    private String checkedFilter(String filter) {
        if (filter.length() > api.maxFilterLength()) {
            throw BadRequest.of("/query/filter", "expected a filter of at most " + api.maxFilterLength()
                    + " characters, found " + filter.length());
        }
        if (filter.indexOf('\0') >= 0) {
            throw BadRequest.of("/query/filter", "expected text without NUL characters (U+0000), found one at"
                    + " index " + filter.indexOf('\0'));
        }
        return filter;
    }

    /** The definition as written, with the fields Harmonia assigns: id and version first, times last. */
    private static JsonNode withTimes(WorkflowRow row) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("workflow_id", row.id());
        o.put("version", row.version());
        o.setAll(DefinitionJson.written(row.definition()));
        o.put("created_at", row.createdAt().toString());
        o.put("updated_at", row.updatedAt().toString());
        return o;
    }
}
