package io.harmonia.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.application.SignalService;
import io.harmonia.domain.definition.Problem;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestPath;

/**
 * {@code POST /api/executions/{id}/signals/{name}}: the body (any JSON value; empty for none) is the signal's
 * payload; {@code Idempotency-Key} becomes its id, so a retried request is recorded once. 202 with what happened.
 */
@Path("/api/executions/{id}/signals")
@Produces(MediaType.APPLICATION_JSON)
public class SignalResource {
    static final String SOURCE = "api";

    private final SignalService signals;
    private final ObjectMapper mapper;

    public SignalResource(SignalService signals, ObjectMapper mapper) {
        this.signals = signals;
        this.mapper = mapper;
    }

    @POST
    @Path("/{name}")
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> send(@RestPath String id, @RestPath String name,
            @RestHeader("Idempotency-Key") String idempotencyKey, String body) throws JsonProcessingException {
        int size = body == null ? 0 : body.getBytes(StandardCharsets.UTF_8).length;
        if (size > signals.maxPayloadBytes()) {
            String reason = "the payload is " + size + " bytes, above the limit of " + signals.maxPayloadBytes();
            throw new BadRequest(413, reason, List.of(new Problem("", reason)));
        }
        JsonNode payload = body == null || body.isBlank() ? null : mapper.readTree(body);
        return signals.send(id, name, idempotencyKey, payload, SOURCE).map(d -> {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            out.put("execution_id", d.executionId()).put("name", d.name()).put("signal_id", d.signalId())
                    .put("recorded", d.recorded());
            if (d.consumedBy() == null) {
                out.putNull("consumed_by");
            } else {
                out.put("consumed_by", d.consumedBy());
            }
            return Response.accepted(out).build();
        });
    }
}
