package io.harmonia.component;

import io.smallrye.mutiny.Uni;
import java.util.Optional;
import java.util.Set;

/**
 * The component SPI: a named set of actions that tasks call. Built-in components are CDI beans implementing this
 * interface; later adapters (Kafka workers, external systems) plug in the same way.
 *
 * <p>{@link #invoke} must not block the calling thread: it returns a {@link Uni} that completes with the task's
 * result. A failure is reported as a {@link TaskResult.Failure}, not as a failed Uni; a failed Uni is treated as an
 * unexpected {@code COMPONENT_ERROR}.
 */
public interface Component {

    /** The component name that tasks refer to ({@code "component": "core"}). */
    String name();

    /** The actions this component offers; validation rejects tasks naming any other. */
    Set<String> actions();

    /** One sentence on what the component is for, shown by {@code GET /api/components}; null: none. */
    default String description() {
        return null;
    }

    /**
     * How a task of this component reaches the code that does it, shown by {@code GET /api/components}:
     * {@code in-process} (the default), or e.g. {@code kafka} for an external worker.
     */
    default String transport() {
        return "in-process";
    }

    /** Where the work is sent, e.g. the Kafka topic of a worker component; null for in-process components. */
    default String destination() {
        return null;
    }

    /** What one of {@link #actions()} does and expects; empty when the component does not describe it. */
    default Optional<ActionDescription> describeAction(String action) {
        return Optional.empty();
    }

    /** Runs one attempt of a task. */
    Uni<TaskResult> invoke(TaskInvocation invocation);

    /**
     * Whether an action finishes at once, with no IO and no side effect (like {@code core.echo}). The engine then
     * runs it inside the decision that starts it, and stores its start and its result in one append: no round trip
     * to the database between a task's start and its completion.
     */
    default boolean runsInline(String action) {
        return false;
    }

    /**
     * For an action that only waits (e.g. {@code core.sleep}): when its attempt is done, computed from what the
     * events record (its input, when its run first started). The runtime then keeps a durable timer instead of a
     * call in flight: the execution may be evicted from memory and handed to another replica while it waits, and the
     * attempt is not started again when its driver dies. At that time {@link #invoke} is called and must complete at
     * once. Null (the default) for every other action, and for an input the action would refuse.
     */
    default java.time.Instant wakesAt(TaskInvocation invocation) {
        return null;
    }

    /** Runs an inline action synchronously; only called when {@link #runsInline} is true for its action. */
    default TaskResult invokeInline(TaskInvocation invocation) {
        throw new IllegalStateException("Expected component '" + name() + "' to run action '" + invocation.action()
                + "' inline, but it declares no inline actions");
    }
}
