package io.harmonia.domain.definition;

/**
 * A task or step that runs its action once per item of a list ({@code "for_each": "${input.items}"}), with
 * {@code item} and {@code index} in its input's expressions; its output is the list of the items' outputs, in order.
 *
 * @param items the template that yields the list (resolved when the task is decided)
 * @param maxParallel how many items run at once ({@code max_parallel})
 */
public record ForEach(String items, int maxParallel) {

    /** {@code max_parallel} when a definition gives none. */
    public static final int DEFAULT_MAX_PARALLEL = 10;
}
