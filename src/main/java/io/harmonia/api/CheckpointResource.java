package io.harmonia.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.application.CheckpointService;
import io.harmonia.config.ApiConfig;
import io.harmonia.domain.definition.Problem;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * Checkpoints: {@code /api/checkpoints}. Take one of an execution, read one ({@code ?include=tasks} adds each task's
 * run, attempts, input, output and error), list an execution's (newest first, paged), restore one into a new
 * execution.
 */
@Path("/api/checkpoints")
@Produces(MediaType.APPLICATION_JSON)
public class CheckpointResource {
    private static final List<String> CREATE_FIELDS = List.of("execution_id");
    private static final List<String> INCLUDES = List.of("tasks");

    private final CheckpointService checkpoints;
    private final ApiConfig api;

    public CheckpointResource(CheckpointService checkpoints, ApiConfig api) {
        this.checkpoints = checkpoints;
        this.api = api;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> create(JsonNode body) {
        if (body == null || !body.isObject()) {
            String found = body == null ? "nothing" : body.getNodeType().toString().toLowerCase();
            throw new BadRequest(422, "expected a JSON object with execution_id, found " + found,
                    List.of(new Problem("", "expected a JSON object with execution_id, found " + found)));
        }
        List<Problem> problems = new ArrayList<>();
        RequestChecks.unknownFields(body, CREATE_FIELDS, problems);
        JsonNode id = body.get("execution_id");
        if (id == null || !id.isTextual() || !RequestChecks.isUuid(id.asText())) {
            problems.add(new Problem("/execution_id", "expected the id (a UUID) of an execution, found "
                    + (id == null ? "nothing" : Paging.shorten(id.toString()))));
        }
        if (!problems.isEmpty()) {
            throw new BadRequest(422, problems.size() + " problem(s) in the checkpoint request", problems);
        }
        return checkpoints.create(id.asText()).map(cp -> Response.created(URI.create("/api/checkpoints/"
                + cp.path("checkpoint_id").asText())).entity(cp).build());
    }

    @GET
    @Path("/{id}")
    public Uni<JsonNode> get(@RestPath String id, @RestQuery String include) {
        return checkpoints.get(id, includesTasks(include));
    }

    @GET
    public Uni<JsonNode> list(@RestQuery("execution_id") String executionId, @RestQuery String limit,
            @RestQuery String offset, @RestQuery String cursor) {
        if (executionId == null || executionId.isBlank()) {
            throw new BadRequest(422, "expected ?execution_id= naming the execution whose checkpoints to list",
                    List.of(new Problem("/query/execution_id", "expected the id (a UUID) of an execution, found"
                            + " nothing")));
        }
        if (!RequestChecks.isUuid(executionId.trim())) {
            throw new BadRequest(422, "expected ?execution_id= to be an execution id (a UUID)",
                    List.of(new Problem("/query/execution_id", "expected the id (a UUID) of an execution, found '"
                            + Paging.shorten(executionId) + "'")));
        }
        Paging paging = Paging.of(limit, offset, cursor, api);
        return checkpoints.list(executionId.trim(), paging.limit(), paging.offset(), paging.after(),
                api.maxExactTotal()).map(page -> {
                    ObjectNode o = JsonNodeFactory.instance.objectNode();
                    o.put("execution_id", executionId.trim());
                    o.putArray("items").addAll(page.items());
                    return ListPages.withPaging(o, page, paging);
                });
    }

    @POST
    @Path("/{id}/restore")
    public Uni<Response> restore(@RestPath String id) {
        return checkpoints.restore(id).map(e -> Response.created(URI.create("/api/executions/"
                + e.path("execution_id").asText())).entity(e).build());
    }

    private static boolean includesTasks(String include) {
        if (include == null || include.isBlank()) {
            return false;
        }
        for (String part : include.split(",")) {
            if (!INCLUDES.contains(part.trim())) {
                throw BadRequest.of("/query/include", "expected one of " + INCLUDES + ", found '"
                        + Paging.shorten(part.trim()) + "'");
            }
        }
        return true;
    }

}
