package io.harmonia.domain.definition;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Checks of a workflow's {@code error_handlers} against its tasks or steps. Pure. */
final class ErrorHandlers {

    private ErrorHandlers() {}

    /** Every handler names an existing task or step; a DAG's handler runs only on failure, so it has no depends_on. */
    static void problems(List<ErrorRoute> handlers, List<TaskDefinition> tasks, boolean stateMachine,
            List<Problem> problems) {
        for (int i = 0; i < handlers.size(); i++) {
            String target = handlers.get(i).to();
            Optional<TaskDefinition> t = tasks.stream().filter(x -> x.id().equals(target)).findFirst();
            String field = stateMachine ? "handler_step" : "handler_task";
            if (t.isEmpty()) {
                problems.add(new Problem("/error_handlers/" + i + "/" + field, "error handler " + i + " names unknown "
                        + (stateMachine ? "step" : "task") + " '" + target + "'; known are " + ids(tasks)
                        + " (" + field + ")"));
            } else if (!stateMachine && !t.get().dependsOn().isEmpty()) {
                problems.add(new Problem("/error_handlers/" + i + "/" + field, "error handler task '" + target + "' has"
                        + " depends_on " + t.get().dependsOn() + "; expected none: a handler task runs only when a"
                        + " task fails for good, with that failure as 'error'"));
            }
        }
        if (stateMachine || handlers.isEmpty()) {
            return;
        }
        Set<String> handlerTasks = new java.util.HashSet<>();
        handlers.forEach(h -> handlerTasks.add(h.to()));
        for (int i = 0; i < tasks.size(); i++) {
            List<String> deps = tasks.get(i).dependsOn();
            for (int j = 0; j < deps.size(); j++) {
                if (handlerTasks.contains(deps.get(j))) {
                    problems.add(new Problem("/tasks/" + i + "/depends_on/" + j, "task '" + tasks.get(i).id()
                            + "' depends on error handler task '" + deps.get(j) + "'; expected no task to depend on"
                            + " a handler (it runs only when a task fails, and may never run)"));
                }
            }
        }
    }

    private static List<String> ids(List<TaskDefinition> tasks) {
        return tasks.stream().map(TaskDefinition::id).toList();
    }

}
