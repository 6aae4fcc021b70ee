package io.harmonia.domain.definition;

/**
 * The two workflow languages, one engine: a DAG of {@code tasks} joined by {@code depends_on} (seed 001), or a state
 * machine of {@code steps} joined by {@code transitions} (seed 000). Both are held as {@link TaskDefinition}s: a step
 * is a task whose successors are chosen by its transitions when it ends, instead of by dependencies.
 */
public enum Language {
    TASKS, STEPS;

    /** The name the API shows ({@code "tasks"} or {@code "steps"}). */
    public String external() {
        return name().toLowerCase();
    }
}
