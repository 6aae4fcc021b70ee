package io.harmonia.domain.execution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.domain.execution.ExecutionEvent.TransitionTaken;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The route an execution took: the transitions of a state machine and the error routes of either language, folded
 * from {@link TransitionTaken} events.
 *
 * @param currentStep the target of the latest route (in a state machine: the step it is at), or null before the
 *     first (a state machine is then at its start step)
 * @param routes the latest {@link #MAX_ROUTES} routes taken, oldest first
 * @param routeCount how many routes were taken in all
 * @param errors per task or step that control was sent to because of a failure, that failure as expressions see it
 *     ({@code error}: {@code {"type", "message", "task_id", "run"}}); replaced when another failure sends control
 *     there, removed when control reaches it by a plain transition
 */
public record Flow(String currentStep, List<Route> routes, long routeCount, Map<String, JsonNode> errors) {

    /** How many routes the state (and the view) keeps; the history holds them all. */
    public static final int MAX_ROUTES = 100;

    public static final Flow NONE = new Flow(null, List.of(), 0, Map.of());

    /** One route: from a task's run to another task, by a transition or an error route. */
    public record Route(String from, int fromRun, String to, String via, int index, String errorType, String message,
            Instant at) {}

    public Flow {
        routes = routes == null ? List.of() : List.copyOf(routes);
        errors = errors == null ? Map.of() : Map.copyOf(errors);
    }

    /** The failure that sent control to {@code taskId}, or null. */
    public JsonNode errorFor(String taskId) {
        return errors.get(taskId);
    }

    Flow with(TransitionTaken t) {
        List<Route> newRoutes = new ArrayList<>(routes);
        newRoutes.add(new Route(t.fromTask(), t.fromRun(), t.toTask(), t.via(), t.index(), t.errorType(), t.message(),
                t.at()));
        if (newRoutes.size() > MAX_ROUTES) {
            newRoutes.remove(0);
        }
        Map<String, JsonNode> newErrors = new HashMap<>(errors);
        if (t.errorType() == null) {
            newErrors.remove(t.toTask());
        } else {
            ObjectNode error = JsonNodeFactory.instance.objectNode();
            error.put("type", t.errorType());
            error.put("message", t.message());
            error.put("task_id", t.fromTask());
            error.put("run", t.fromRun());
            newErrors.put(t.toTask(), error);
        }
        return new Flow(t.toTask(), newRoutes, routeCount + 1, newErrors);
    }
}
