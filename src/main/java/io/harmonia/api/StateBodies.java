package io.harmonia.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.domain.definition.Problem;
import java.util.ArrayList;
import java.util.List;

/** The request bodies and the If-Match header, checked: each problem names where it is. */
final class StateBodies {
    /** The state (or merge patch) to apply, and the JSON pointer it is at in the request body. */
    record Body(JsonNode state, String pointer) {}

    private StateBodies() {}

    /** {@code {"state": <object>}}; anything else is 422 with every problem. */
    static Body wrapped(JsonNode body, String verb) {
        if (body == null || !body.isObject()) {
            throw new BadRequest(422, "expected a JSON object {\"state\": {...}}", List.of(new Problem("",
                    "expected a JSON object {\"state\": {...}} with the state to " + verb + ", found "
                            + kind(body))));
        }
        List<Problem> problems = new ArrayList<>();
        body.fieldNames().forEachRemaining(f -> {
            if (!"state".equals(f)) {
                problems.add(new Problem("/" + f.replace("~", "~0").replace("/", "~1"), "unknown field '"
                        + Paging.shorten(f) + "'; expected only 'state'"));
            }
        });
        JsonNode state = body.get("state");
        if (state == null || !state.isObject()) {
            problems.add(new Problem("/state", "expected the state to " + verb + " as a JSON object, found "
                    + kind(state)));
        }
        if (!problems.isEmpty()) {
            throw new BadRequest(422, problems.size() == 1 ? problems.get(0).reason()
                    : problems.size() + " problems; see errors", problems);
        }
        return new Body(state, "/state");
    }

    /** A merge patch body must be an object: any other patch would replace the state with a non-object. */
    static Body mergePatch(JsonNode body) {
        if (body == null || !body.isObject()) {
            String reason = "expected a merge patch object (the state is an object, and a patch that is not"
                    + " an object would replace it), found " + kind(body);
            throw new BadRequest(422, reason, List.of(new Problem("", reason)));
        }
        return new Body(body, "");
    }

    /**
     * The state version of {@code If-Match}: {@code "3"}, {@code 3} or {@code W/"3"}; null for none or
     * {@code *} (any version). Anything else is 400.
     */
    static Long ifMatch(String header) {
        if (header == null || header.isBlank() || header.trim().equals("*")) {
            return null;
        }
        String v = header.trim();
        if (v.startsWith("W/")) {
            v = v.substring(2);
        }
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            v = v.substring(1, v.length() - 1);
        }
        try {
            long version = Long.parseLong(v);
            if (version >= 0 && !v.startsWith("+")) {
                return version;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw BadRequest.of("/headers/If-Match", "expected the state version of an ETag, e.g. \"3\" (or * for"
                + " any version), found '" + Paging.shorten(header) + "'");
    }

    private static String kind(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        if (node.isNull()) {
            return "null";
        }
        String text = node.toString();
        return node.getNodeType().toString().toLowerCase() + " " + (text.length() > 60
                ? text.substring(0, 57) + "..." : text);
    }
}
