package io.harmonia.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.domain.definition.Problem;
import io.harmonia.domain.execution.CommandRejected;
import io.harmonia.domain.execution.ExecutionNotFound;
import io.harmonia.domain.execution.StateLimitExceeded;
import io.harmonia.domain.execution.StateVersionMismatch;
import io.harmonia.domain.definition.InvalidRequest;
import io.harmonia.domain.workflow.WorkflowNotFound;
import io.harmonia.eventstore.ConcurrencyConflict;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.List;
import io.vertx.core.http.HttpServerRequest;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error leaves as RFC 9457 problem+json, saying what was expected and what was found. */
public class ProblemMappers {
    public static final String PROBLEM_JSON = "application/problem+json";

    @ServerExceptionMapper
    public Response invalid(InvalidRequest e) {
        return problem(422, ProblemTypes.of(422), e.getMessage(), problemCount(e.problems()), e.problems());
    }

    @ServerExceptionMapper
    public Response workflowNotFound(WorkflowNotFound e) {
        return problem(404, ProblemTypes.of(404), "Workflow not found", e.getMessage(), List.of());
    }

    @ServerExceptionMapper
    public Response executionNotFound(ExecutionNotFound e) {
        return problem(404, ProblemTypes.of(404), "Execution not found", e.getMessage(), List.of());
    }

    @ServerExceptionMapper
    public Response rejected(CommandRejected e) {
        ObjectNode body = body(409, "invalid-state", "The command does not apply in the execution's status",
                e.getMessage(), List.of());
        body.put("execution_status", e.status().name());
        return Response.status(409).type(PROBLEM_JSON).entity(body).build();
    }

    @ServerExceptionMapper
    public Response staleState(StateVersionMismatch e) {
        ObjectNode body = body(412, "precondition-failed", "The state changed since the version in If-Match",
                e.getMessage(), List.of());
        body.put("expected_version", e.expected()).put("state_version", e.found());
        return Response.status(412).type(PROBLEM_JSON).entity(body).header("ETag", "\"" + e.found() + "\"").build();
    }

    @ServerExceptionMapper
    public Response stateTooLarge(StateLimitExceeded e) {
        ObjectNode body = body(413, ProblemTypes.of(413), "The state would be too large", e.getMessage(), List.of());
        body.put("state_bytes", e.size()).put("max_state_bytes", e.limit());
        return Response.status(413).type(PROBLEM_JSON).entity(body).build();
    }

    @ServerExceptionMapper
    public Response conflict(ConcurrencyConflict e) {
        return problem(409, "concurrent-change", "Changed concurrently; retry the request", e.getMessage(), List.of());
    }

    @ServerExceptionMapper
    public Response badJson(JsonProcessingException e) {
        return problem(400, "malformed-json", "The request body is not valid JSON", JsonErrors.describe(e),
                List.of());
    }

    @ServerExceptionMapper
    public Response badRequest(BadRequest e) {
        return problem(e.status, ProblemTypes.of(e.status), ProblemTypes.title(e.status), e.getMessage(),
                e.problems);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, HttpServerRequest request) {
        int status = e.getResponse().getStatus();
        JsonProcessingException json = find(e, JsonProcessingException.class);
        if (json != null) {
            return badJson(json);
        }
        Response.ResponseBuilder rb = problemBuilder(status, ProblemTypes.of(status), ProblemTypes.title(status),
                ProblemTypes.detail(status, request.method().name(), request.path(), request.headers()), List.of());
        String allow = e.getResponse().getHeaderString("Allow");
        if (allow != null) {
            rb.header("Allow", allow);
        }
        return rb.build();
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (int depth = 0; t != null && depth < 10; depth++, t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    public static Response problem(int status, String type, String title, String detail, List<Problem> problems) {
        return problemBuilder(status, type, title, detail, problems).build();
    }

    /** 429: Kafka publication is too far behind (flow control), with {@code Retry-After}. */
    static Response overloaded(io.harmonia.messaging.PublicationLag lag) {
        return problemBuilder(429, "overloaded", "Too many unpublished events", "Event publication to Kafka is "
                + lag.events() + " events behind (limit " + lag.limit() + "); retry later")
                .header("Retry-After", "5").build();
    }

    public static Response.ResponseBuilder problemBuilder(int status, String type, String title, String detail) {
        return problemBuilder(status, type, title, detail, List.of());
    }

    static Response.ResponseBuilder problemBuilder(int status, String type, String title, String detail,
            List<Problem> problems) {
        return Response.status(status).type(PROBLEM_JSON).entity(body(status, type, title, detail, problems));
    }

    static ObjectNode body(int status, String type, String title, String detail, List<Problem> problems) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("type", "https://harmonia.dev/problems/" + type);
        o.put("title", title);
        o.put("status", status);
        o.put("detail", detail);
        if (!problems.isEmpty()) {
            ArrayNode errors = o.putArray("errors");
            for (Problem p : problems) {
                errors.addObject().put("pointer", p.pointer()).put("detail", p.reason());
            }
        }
        return o;
    }

    private static String problemCount(List<Problem> problems) {
        return problems.size() == 1 ? "1 problem: " + problems.get(0).reason()
                : problems.size() + " problems; see errors";
    }
}
