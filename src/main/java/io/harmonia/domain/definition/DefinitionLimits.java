package io.harmonia.domain.definition;

/**
 * How large a workflow definition may be. Checked before anything else, so an oversized definition costs one
 * measurement, not a validation.
 *
 * @param maxTasks the most tasks one definition may have
 * @param maxDefinitionBytes the largest definition, as stored: compact JSON, UTF-8, without the fields Harmonia adds
 */
public record DefinitionLimits(int maxTasks, int maxDefinitionBytes) {

    /** The defaults of {@code harmonia.definitions.*}. */
    public static final DefinitionLimits DEFAULTS = new DefinitionLimits(10_000, 1_000_000);
}
