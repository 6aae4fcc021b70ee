package io.harmonia.component.builtin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harmonia.component.ActionDescription;
import io.harmonia.component.Component;
import io.harmonia.component.TaskInvocation;
import io.harmonia.component.TaskResult;
import io.harmonia.domain.definition.ErrorTypes;
import io.harmonia.domain.execution.ChildRules;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.Set;

/**
 * The built-in {@code workflow} component: {@code run} starts a sub-workflow (a child execution), waits for it, and
 * takes its output or its error. It is named here so that definitions using it validate and
 * {@code GET /api/components} describes it; the runtime itself starts the child and watches it (a component does not
 * call upward into the engine), so {@link #invoke} is never reached through the runtime.
 */
@ApplicationScoped
public class WorkflowComponent implements Component {

    /** Not in-process: the attempt outlives the replica that started it (the child reports to any replica). */
    public static final String TRANSPORT = "sub-workflow";

    private static final ActionDescription RUN;

    static {
        try {
            ObjectMapper m = new ObjectMapper();
            RUN = new ActionDescription("Starts a child execution of a workflow (the latest version unless version"
                    + " is given) with the given input, waits for it and completes with its output; fails with its"
                    + " error type (CANCELED when it was canceled). A missing workflow or version fails the task with"
                    + " VALIDATION_ERROR; nesting deeper than harmonia.flow.max-depth fails it with DEPTH_EXCEEDED.",
                    m.readTree("{\"type\": \"object\", \"required\": [\"workflow_id\"], \"properties\": {"
                            + "\"workflow_id\": {\"type\": \"string\", \"format\": \"uuid\"},"
                            + " \"version\": {\"type\": \"integer\", \"minimum\": 1},"
                            + " \"input\": {\"description\": \"the child execution's input\"}}}"),
                    m.readTree("{\"description\": \"the child execution's output\"}"));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String name() {
        return ChildRules.COMPONENT;
    }

    @Override
    public Set<String> actions() {
        return Set.of(ChildRules.ACTION);
    }

    @Override
    public String description() {
        return "Sub-workflows: run starts a child execution, waits for it and takes its output or its error.";
    }

    @Override
    public String transport() {
        return TRANSPORT;
    }

    @Override
    public Optional<ActionDescription> describeAction(String action) {
        return ChildRules.ACTION.equals(action) ? Optional.of(RUN) : Optional.empty();
    }

    @Override
    public Uni<TaskResult> invoke(TaskInvocation invocation) {
        return Uni.createFrom().item(TaskResult.failure(ErrorTypes.COMPONENT_ERROR, "expected the runtime to start"
                + " the sub-workflow of task '" + invocation.taskId() + "', but it was sent to the component", false));
    }
}
