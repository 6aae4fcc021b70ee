package io.harmonia.api;

import io.harmonia.application.SignatureRejected;
import io.harmonia.domain.definition.Problem;
import io.harmonia.domain.trigger.TriggerFiring;
import io.harmonia.domain.trigger.TriggerNotActive;
import io.harmonia.domain.trigger.TriggerNotFound;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Trigger refusals as problem+json: unknown 404, paused or not callable 409, bad signature 401, bad mapping 422. */
public class TriggerProblemMappers {

    @ServerExceptionMapper
    public Response triggerNotFound(TriggerNotFound e) {
        return ProblemMappers.problem(404, ProblemTypes.of(404), "Trigger not found", e.getMessage(), List.of());
    }

    @ServerExceptionMapper
    public Response notActive(TriggerNotActive e) {
        return ProblemMappers.problem(409, "invalid-state", "The trigger cannot fire now", e.getMessage(), List.of());
    }

    @ServerExceptionMapper
    public Response signature(SignatureRejected e) {
        return ProblemMappers.problemBuilder(401, "invalid-signature", "The signature is missing or wrong",
                e.getMessage()).build();
    }

    @ServerExceptionMapper
    public Response mapping(TriggerFiring.MappingFailed e) {
        return ProblemMappers.problem(422, ProblemTypes.of(422), "The event cannot be mapped", e.getMessage(),
                List.of(new Problem("", e.getMessage())));
    }
}
