package io.harmonia.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.application.StateService;
import io.harmonia.config.HistoryConfig;
import io.harmonia.domain.definition.Problem;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * An execution's state: {@code /api/state/{execution_id}}. GET reads it (now, or {@code ?at_sequence=} right after
 * an event); PUT replaces the global state, PATCH merges into it (RFC 7396), both with optimistic concurrency through
 * {@code If-Match} (the {@code ETag} of a read). Every answer carries the state's version as its {@code ETag}.
 */
@Path("/api/state")
@Produces(MediaType.APPLICATION_JSON)
public class StateResource {
    static final String MERGE_PATCH_JSON = "application/merge-patch+json";

    private final StateService states;
    private final HistoryConfig config;

    public StateResource(StateService states, HistoryConfig config) {
        this.states = states;
        this.config = config;
    }

    @GET
    @Path("/{id}")
    public Uni<Response> get(@RestPath String id, @RestQuery("at_sequence") String atSequence) {
        return (atSequence == null ? states.read(id) : states.readAt(id, atSequence)).map(StateResource::ok);
    }

    /** Replaces the global state: {@code {"state": {...}}}. */
    @PUT
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> put(@RestPath String id, JsonNode body, @RestHeader("If-Match") String ifMatch) {
        return update(id, StateBodies.wrapped(body, "replace"), true, ifMatch);
    }

    /** Merges into the global state (RFC 7396): {@code {"state": <patch>}}. */
    @PATCH
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> patch(@RestPath String id, JsonNode body, @RestHeader("If-Match") String ifMatch) {
        return update(id, StateBodies.wrapped(body, "merge into"), false, ifMatch);
    }

    /** Merges into the global state (RFC 7396), the body being the merge patch itself. */
    @PATCH
    @Path("/{id}")
    @Consumes(MERGE_PATCH_JSON)
    public Uni<Response> mergePatch(@RestPath String id, JsonNode body, @RestHeader("If-Match") String ifMatch) {
        return update(id, StateBodies.mergePatch(body), false, ifMatch);
    }

    private Uni<Response> update(String id, StateBodies.Body body, boolean replace, String ifMatch) {
        Long ifVersion = StateBodies.ifMatch(ifMatch);
        int size = body.state().toString().getBytes(StandardCharsets.UTF_8).length;
        if (size > config.maxStateBytes()) {
            String reason = "the state is " + size + " bytes, above the limit of " + config.maxStateBytes()
                    + " (harmonia.history.max-state-bytes)";
            throw new BadRequest(413, reason, List.of(new Problem(body.pointer(), reason)));
        }
        return states.update(id, body.state(), replace, ifVersion, body.pointer()).map(StateResource::ok);
    }

    private static Response ok(StateService.StateRead read) {
        return Response.ok(read.body()).header("ETag", "\"" + read.version() + "\"").build();
    }
}
