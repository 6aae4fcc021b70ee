package io.harmonia.stream;

import io.harmonia.domain.execution.ExecutionStatus;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * What a subscriber asked for: filters and where to resume. Parsed from query parameters ({@code types},
 * {@code workflow_id}, {@code status}, {@code after}) and the SSE {@code Last-Event-ID} header, which wins over
 * {@code after} (a browser sends it when it reconnects, with the URL of the first connection).
 *
 * @param afterSequence per execution: resume after this sequence (null: from the snapshot, or the whole history of
 *     a finished execution)
 * @param afterEventId global: resume after this event, {@code <execution_id>/<sequence>} (null: live only)
 * @param afterPointer where the resume point came from: {@code /query/after} or {@code /headers/Last-Event-ID}
 */
public record StreamRequest(Set<String> types, String workflowId, Set<String> statuses, Integer afterSequence,
        String afterEventId, String afterPointer) {

    /** Whether a message passes the filters. */
    public boolean accepts(StreamMessage m) {
        return (types.isEmpty() || types.contains(m.type()))
                && (workflowId == null || workflowId.equals(m.workflowId()))
                && (statuses.isEmpty() || statuses.contains(m.status()));
    }

    /** The execution and sequence named by {@link #afterEventId()}. */
    public String afterExecutionId() {
        return afterEventId == null ? null : afterEventId.substring(0, afterEventId.indexOf('/'));
    }

    public int afterEventSequence() {
        return afterEventId == null ? 0 : Integer.parseInt(afterEventId.substring(afterEventId.indexOf('/') + 1));
    }

    /**
     * @param param a query parameter by name (null when absent)
     * @param lastEventId the {@code Last-Event-ID} header, or null
     * @param global the stream of all executions (ids are {@code <execution_id>/<sequence>}) or of one
     * @throws BadStreamRequest naming the parameter, what was expected and what was found
     */
    public static StreamRequest parse(Function<String, String> param, String lastEventId, boolean global) {
        Set<String> types = new LinkedHashSet<>();
        for (String t : list(param.apply("types"))) {
            if (!StreamTypes.known(t)) {
                throw new BadStreamRequest("/query/types", "expected event types among " + StreamTypes.NAMES
                        + ", found '" + t + "'");
            }
            types.add(t);
        }
        String workflowId = blankToNull(param.apply("workflow_id"));
        if (workflowId != null && !isUuid(workflowId)) {
            throw new BadStreamRequest("/query/workflow_id", "expected a workflow id (a UUID), found '"
                    + workflowId + "'");
        }
        Set<String> statuses = new LinkedHashSet<>();
        for (String s : list(param.apply("status"))) {
            String upper = s.toUpperCase(java.util.Locale.ROOT);
            if (Arrays.stream(ExecutionStatus.values()).noneMatch(v -> v.name().equals(upper))) {
                throw new BadStreamRequest("/query/status", "expected execution statuses among "
                        + List.of(ExecutionStatus.values()) + ", found '" + s + "'");
            }
            statuses.add(upper);
        }
        String after = blankToNull(lastEventId);
        String where = "/headers/Last-Event-ID";
        if (after == null) {
            after = blankToNull(param.apply("after"));
            where = "/query/after";
        }
        Integer afterSequence = null;
        String afterEventId = null;
        if (after != null) {
            if (global) {
                afterEventId = eventId(after, where);
            } else {
                afterSequence = sequence(after, where, "expected the sequence of the last event received (an"
                        + " integer >= 0), found '" + after + "'");
            }
        }
        return new StreamRequest(Set.copyOf(types), workflowId, Set.copyOf(statuses), afterSequence, afterEventId,
                after == null ? null : where);
    }

    private static String eventId(String value, String where) {
        int slash = value.indexOf('/');
        String expected = "expected the id of the last event received, <execution_id>/<sequence>, found '" + value
                + "'";
        if (slash < 0 || !isUuid(value.substring(0, slash))) {
            throw new BadStreamRequest(where, expected);
        }
        int seq = sequence(value.substring(slash + 1), where, expected);
        if (seq < 1) {
            throw new BadStreamRequest(where, expected);
        }
        return value.substring(0, slash).toLowerCase(java.util.Locale.ROOT) + "/" + seq;
    }

    private static int sequence(String value, String where, String expected) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n < 0) {
                throw new BadStreamRequest(where, expected);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new BadStreamRequest(where, expected);
        }
    }

    private static List<String> list(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    static boolean isUuid(String s) {
        try {
            UUID.fromString(s);
            return s.length() == 36;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
