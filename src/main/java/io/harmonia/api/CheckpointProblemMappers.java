package io.harmonia.api;

import io.harmonia.domain.execution.CheckpointNotFound;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** A checkpoint that does not exist: 404 problem+json, like an unknown execution. */
public class CheckpointProblemMappers {

    @ServerExceptionMapper
    public Response checkpointNotFound(CheckpointNotFound e) {
        return ProblemMappers.problem(404, ProblemTypes.of(404), "Checkpoint not found", e.getMessage(), List.of());
    }
}
