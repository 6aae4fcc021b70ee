package io.harmonia.api;

/** Lets tests in other packages use the API helpers. */
public final class ApiAccess {
    private ApiAccess() {}

    public static String createWorkflow(String body) {
        return Api.createWorkflow(body);
    }

    public static String start(String workflowId, String input) {
        return Api.start(workflowId, input);
    }
}
