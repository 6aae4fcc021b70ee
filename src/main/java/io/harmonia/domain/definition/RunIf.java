package io.harmonia.domain.definition;

/**
 * A DAG task's trigger rule ({@code run_if}): when it runs, given how its dependencies ended. The default,
 * {@link #NONE_FAILED}, is the behaviour before trigger rules existed.
 */
public enum RunIf {
    /** Every dependency is final and none FAILED (or was skipped because of a failure); SKIPPED ones count as done. */
    NONE_FAILED,
    /** Every dependency COMPLETED. */
    ALL_SUCCEEDED,
    /** Every dependency is final, however it ended. */
    ALL_DONE,
    /** At least one dependency FAILED (or was skipped because of a failure): runs as soon as one has. */
    ANY_FAILED,
    /** At least one dependency COMPLETED: runs as soon as one has. */
    ANY_SUCCEEDED;

    /** The name used in definitions, e.g. {@code "all_succeeded"}. */
    public String external() {
        return name().toLowerCase();
    }

    /** The rule named {@code name} in a definition, or null. */
    public static RunIf of(String name) {
        for (RunIf r : values()) {
            if (r.external().equals(name)) {
                return r;
            }
        }
        return null;
    }
}
