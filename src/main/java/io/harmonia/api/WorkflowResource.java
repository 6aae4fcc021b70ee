package io.harmonia.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.config.ApiConfig;
import io.harmonia.domain.definition.DefinitionJson;
import io.harmonia.engine.WorkflowService;
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
        return workflows.create(body).map(wf -> Response.created(URI.create("/api/workflows/" + wf.id()))
                .entity(DefinitionJson.toJson(wf)).build());
    }

    @GET
    @Path("/{id}")
    public Uni<JsonNode> get(@RestPath String id) {
        return workflows.existing(id).map(WorkflowResource::withTimes);
    }

    @PUT
    @Path("/{id}")
    public Uni<JsonNode> update(@RestPath String id, JsonNode body) {
        return workflows.update(id, body).map(DefinitionJson::toJson);
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

    private static JsonNode withTimes(WorkflowRow row) {
        ObjectNode o = ((ObjectNode) row.definition()).deepCopy();
        o.put("workflow_id", row.id());
        o.put("version", row.version());
        o.put("created_at", row.createdAt().toString());
        o.put("updated_at", row.updatedAt().toString());
        return o;
    }
}
