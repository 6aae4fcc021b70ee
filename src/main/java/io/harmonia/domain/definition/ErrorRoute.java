package io.harmonia.domain.definition;

/**
 * Where control goes when a task or step fails for good (after its retries): a step's {@code on_error} entry
 * ({@code {"error_type", "to"}}) or a workflow's {@code error_handlers} entry ({@code {"error_type",
 * "handler_step"}} or {@code "handler_task"}).
 *
 * @param errorType the error type it handles, or {@link #ANY} for every type
 * @param to the step or task that runs next, with the {@code error} in its expressions
 */
public record ErrorRoute(String errorType, String to) {

    /** Matches every error type. */
    public static final String ANY = "*";

    public boolean matches(String type) {
        return ANY.equals(errorType) || errorType.equals(type);
    }
}
