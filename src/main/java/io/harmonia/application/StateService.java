package io.harmonia.application;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.domain.definition.InvalidRequest;
import io.harmonia.domain.definition.Problem;
import io.harmonia.domain.execution.CommandRejected;
import io.harmonia.domain.execution.ExecutionCommand;
import io.harmonia.domain.execution.ExecutionNotFound;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.projection.executions.ExecutionLoader;
import io.harmonia.projection.executions.ExecutionReadModel;
import io.harmonia.runtime.ExecutionEngine;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An execution's state over the API ({@code /api/state}): read now (from the executions read model, written in the
 * same transaction as the events), read as it was right after an event (folded from the history), and changed from
 * outside (an UpdateState command, appended as a StateUpdated event).
 *
 * <p>Every answer has the same shape: {@code execution_id}, {@code status}, {@code state} (the global state),
 * {@code tasks} (per task id, what its {@code state} mapping last wrote, ordered by task id), {@code version} (the
 * state's version, the ETag) and {@code sequence} (the stream version it was read at).
 */
@ApplicationScoped
public class StateService {

    /** The answer, and the state version for the ETag. */
    public record StateRead(JsonNode body, long version) {}

    private final ExecutionEngine engine;
    private final ExecutionReadModel readModel;
    private final ExecutionLoader loader;

    public StateService(ExecutionEngine engine, ExecutionReadModel readModel, ExecutionLoader loader) {
        this.engine = engine;
        this.readModel = readModel;
        this.loader = loader;
    }

    /** The latest state; 404 for an unknown execution. */
    public Uni<StateRead> read(String executionId) {
        return view(executionId).map(StateService::fromView);
    }

    /**
     * The state right after event {@code atSequence}, folded from the nearest checkpoint before it; 422 (pointer
     * {@code /query/at_sequence}) unless it is an integer from 1 to the execution's last sequence.
     */
    public Uni<StateRead> readAt(String executionId, String atSequence) {
        return view(executionId).chain(view -> {
            long last = view.path("version").asLong();
            Long n = sequence(atSequence);
            if (n == null || n < 1 || n > last) {
                return Uni.createFrom().failure(new InvalidRequest("No such event in execution '" + executionId
                        + "'", List.of(new Problem("/query/at_sequence", "expected at_sequence to be an integer"
                        + " from 1 to " + last + " (the last event of execution '" + executionId + "'), found '"
                        + shorten(atSequence) + "'"))));
            }
            return loader.load(executionId, n.intValue()).map(StateService::fromState);
        });
    }

    /**
     * Replaces ({@code replace}) or merges (RFC 7396) the global state; with {@code ifVersion}, only when the state
     * is at that version (else 412). {@code state} must be an object (the API checks it); a URL with credentials in
     * it is refused (422) as in execution inputs, since the state is stored in events, views and Kafka records.
     *
     * @param pointer where {@code state} is in the request body, for the problems' pointers
     */
    public Uni<StateRead> update(String executionId, JsonNode state, boolean replace, Long ifVersion,
            String pointer) {
        return ExecutionService.validId(executionId)
                .chain(() -> {
                    List<Problem> problems = UrlCredentials.check(state, pointer);
                    if (!problems.isEmpty()) {
                        return Uni.createFrom().failure(new InvalidRequest("The state holds a URL with credentials",
                                problems));
                    }
                    return engine.command(executionId,
                            now -> new ExecutionCommand.UpdateState(state, replace, ifVersion, now));
                })
                .onFailure(CommandRejected.class).transform(e -> finished(executionId, (CommandRejected) e))
                .map(StateService::fromState);
    }

    private static CommandRejected finished(String executionId, CommandRejected e) {
        return new CommandRejected("Expected execution '" + executionId + "' to be RUNNING or PAUSED to change its"
                + " state, but it is " + e.status() + " (the state of a finished execution is final)", e.status());
    }

    private Uni<JsonNode> view(String executionId) {
        return ExecutionService.validId(executionId).chain(() -> readModel.view(executionId))
                .map(v -> v.orElseThrow(() -> new ExecutionNotFound(executionId)));
    }

    private static StateRead fromView(JsonNode view) {
        Map<String, JsonNode> tasks = new TreeMap<>();
        view.path("task_executions").properties().forEach(e -> {
            JsonNode taskState = e.getValue().get("state");
            if (taskState != null && !taskState.isNull()) {
                tasks.put(e.getKey(), taskState);
            }
        });
        long version = view.path("state_version").asLong();
        JsonNode global = view.get("state");
        return new StateRead(body(view.path("execution_id").asText(), view.path("status").asText(),
                global == null || global.isNull() ? JsonNodeFactory.instance.objectNode() : global, tasks, version,
                view.path("version").asLong()), version);
    }

    private static StateRead fromState(ExecutionState s) {
        if (!s.exists()) {
            throw new ExecutionNotFound(String.valueOf(s.executionId()));
        }
        long version = s.stateData().version();
        return new StateRead(body(s.executionId(), s.status().name(), s.stateData().global(),
                new TreeMap<>(s.stateData().tasks()), version, s.version()), version);
    }

    private static JsonNode body(String executionId, String status, JsonNode global, Map<String, JsonNode> tasks,
            long version, long sequence) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("execution_id", executionId);
        o.put("status", status);
        o.set("state", global);
        ObjectNode byTask = o.putObject("tasks");
        tasks.forEach(byTask::set);
        o.put("version", version);
        o.put("sequence", sequence);
        return o;
    }

    private static Long sequence(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String shorten(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 60; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        return s.length() > 60 ? b + "..." : b.toString();
    }
}
