package io.harmonia.domain.definition;

import java.util.Set;

/** The error types Harmonia itself produces. Components may add their own. */
public final class ErrorTypes {
    public static final String SERVER_ERROR = "SERVER_ERROR";
    public static final String CLIENT_ERROR = "CLIENT_ERROR";
    public static final String CONNECTION_ERROR = "CONNECTION_ERROR";
    public static final String TIMEOUT = "TIMEOUT";
    public static final String EXPRESSION_ERROR = "EXPRESSION_ERROR";
    public static final String VALIDATION_ERROR = "VALIDATION_ERROR";
    public static final String PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE";
    public static final String COMPONENT_ERROR = "COMPONENT_ERROR";
    public static final String INTERRUPTED = "INTERRUPTED";
    public static final String UPSTREAM_FAILED = "UPSTREAM_FAILED";
    public static final String CANCELED = "CANCELED";
    /** A step (or task) would run more often than its {@code max_iterations} allows. */
    public static final String ITERATION_LIMIT_EXCEEDED = "ITERATION_LIMIT_EXCEEDED";
    /** A sub-workflow would nest deeper than {@code harmonia.flow.max-depth}. */
    public static final String DEPTH_EXCEEDED = "DEPTH_EXCEEDED";

    /** Retried by default when a policy names no {@code retriable_errors}. */
    public static final Set<String> RETRIABLE_BY_DEFAULT = Set.of(SERVER_ERROR, CONNECTION_ERROR, TIMEOUT, INTERRUPTED);

    private ErrorTypes() {}
}
