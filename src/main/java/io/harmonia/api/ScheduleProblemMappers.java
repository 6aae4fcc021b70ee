package io.harmonia.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.domain.schedule.ScheduleNotFound;
import io.harmonia.domain.schedule.ScheduleRejected;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Schedules: an unknown one is 404; a command its status does not allow (a deleted schedule) is 409. */
public class ScheduleProblemMappers {

    @ServerExceptionMapper
    public Response scheduleNotFound(ScheduleNotFound e) {
        return ProblemMappers.problem(404, ProblemTypes.of(404), "Schedule not found", e.getMessage(), List.of());
    }

    @ServerExceptionMapper
    public Response scheduleRejected(ScheduleRejected e) {
        ObjectNode body = ProblemMappers.body(409, "invalid-state", "The command does not apply to the schedule",
                e.getMessage(), List.of());
        if (e.status() != null) {
            body.put("schedule_status", e.status().json());
        }
        return Response.status(409).type(ProblemMappers.PROBLEM_JSON).entity(body).build();
    }
}
