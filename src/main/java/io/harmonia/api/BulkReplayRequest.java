package io.harmonia.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.application.BulkReplayService;
import io.harmonia.domain.definition.Problem;
import io.harmonia.domain.execution.ExecutionStatus;
import io.harmonia.eventstore.BulkJobs;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The body of {@code POST /api/executions/replay}, checked: every problem is reported at once (422), each with its
 * pointer.
 */
record BulkReplayRequest(String mode, BulkJobs.Filter filter, JsonNode filterJson, int max) {
    private static final Set<String> FIELDS = Set.of("filter", "mode", "max");
    private static final Set<String> FILTER_FIELDS = Set.of("workflow_id", "status", "started_after",
            "started_before");

    static BulkReplayRequest parse(JsonNode body, int maxAllowed) {
        if (body == null || !body.isObject()) {
            throw new BadRequest(422, "expected a JSON object with filter, mode and max", List.of(new Problem("",
                    "expected a JSON object with filter, mode and max, found "
                            + (body == null ? "nothing" : body.getNodeType()))));
        }
        List<Problem> problems = new ArrayList<>();
        RequestChecks.unknownFields(body, FIELDS, problems);
        JsonNode mode = body.get("mode");
        if (mode == null || !mode.isTextual() || !BulkReplayService.MODES.contains(mode.textValue())) {
            problems.add(new Problem("/mode", "expected one of " + BulkReplayService.MODES + ", found "
                    + (mode == null ? "nothing" : Paging.shorten(mode.toString()))));
        }
        JsonNode max = body.get("max");
        if (max == null || !max.isIntegralNumber() || !max.canConvertToInt() || max.intValue() < 1
                || max.intValue() > maxAllowed) {
            problems.add(new Problem("/max", "expected the most executions to touch, from 1 to " + maxAllowed
                    + " (harmonia.history.bulk-max-executions), found "
                    + (max == null ? "nothing" : Paging.shorten(max.toString()))));
        }
        JsonNode filter = body.get("filter");
        ObjectNode stored = JsonNodeFactory.instance.objectNode();
        String workflowId = null;
        String status = null;
        Instant after = null;
        Instant before = null;
        if (filter == null || !filter.isObject()) {
            problems.add(new Problem("/filter", "expected an object with any of " + FILTER_FIELDS + ", found "
                    + (filter == null ? "nothing" : Paging.shorten(filter.toString()))));
        } else {
            filter.fieldNames().forEachRemaining(f -> {
                if (!FILTER_FIELDS.contains(f)) {
                    problems.add(new Problem("/filter/" + f, "unknown filter '" + f + "'; expected one of "
                            + FILTER_FIELDS));
                }
            });
            JsonNode wf = present(filter.get("workflow_id"));
            if (wf != null) {
                if (wf.isTextual() && RequestChecks.isUuid(wf.textValue())) {
                    workflowId = wf.textValue();
                    stored.put("workflow_id", workflowId);
                } else {
                    problems.add(new Problem("/filter/workflow_id", "expected the id (a UUID) of a workflow, found "
                            + Paging.shorten(wf.toString())));
                }
            }
            JsonNode st = present(filter.get("status"));
            if (st != null) {
                List<String> statuses = Arrays.stream(ExecutionStatus.values()).map(Enum::name).toList();
                if (st.isTextual() && statuses.contains(st.textValue().toUpperCase(java.util.Locale.ROOT))) {
                    status = st.textValue().toUpperCase(java.util.Locale.ROOT);
                    stored.put("status", status);
                } else {
                    problems.add(new Problem("/filter/status", "expected one of " + statuses + ", found "
                            + Paging.shorten(st.toString())));
                }
            }
            after = instant(filter, "started_after", problems);
            before = instant(filter, "started_before", problems);
            if (after != null) {
                stored.put("started_after", after.toString());
            }
            if (before != null) {
                stored.put("started_before", before.toString());
            }
            if (after != null && before != null && !after.isBefore(before)) {
                problems.add(new Problem("/filter/started_before", "expected a time after started_after ("
                        + after + "), found " + before));
            }
        }
        if (!problems.isEmpty()) {
            throw new BadRequest(422, problems.size() + " problem(s) in the bulk replay request", problems);
        }
        return new BulkReplayRequest(mode.textValue(), new BulkJobs.Filter(workflowId, status, after, before), stored,
                max.intValue());
    }

    private static JsonNode present(JsonNode n) {
        return n == null || n.isNull() ? null : n;
    }

    private static Instant instant(JsonNode filter, String field, List<Problem> problems) {
        JsonNode n = present(filter.get(field));
        if (n == null) {
            return null;
        }
        if (n.isTextual()) {
            try {
                return OffsetDateTime.parse(n.textValue()).toInstant();
            } catch (DateTimeParseException e) {
                // reported below
            }
        }
        problems.add(new Problem("/filter/" + field, "expected an ISO-8601 time with an offset, e.g."
                + " 2026-01-31T12:00:00Z, found " + Paging.shorten(n.toString())));
        return null;
    }

}
