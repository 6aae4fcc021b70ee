package io.harmonia.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.domain.definition.Problem;
import java.util.List;
import java.util.Collection;
import java.util.UUID;

/** Checks every JSON request body and path of the API makes the same way. */
final class RequestChecks {

    private RequestChecks() {}

    /** Whether {@code s} is a UUID in its canonical 36-character form. */
    static boolean isUuid(String s) {
        try {
            UUID.fromString(s);
            return s.length() == 36;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A problem for every field of {@code body} that is not in {@code known}. */
    static void unknownFields(JsonNode body, Collection<String> known, List<Problem> problems) {
        body.fieldNames().forEachRemaining(f -> {
            if (!known.contains(f)) {
                problems.add(new Problem("/" + f, "unknown field '" + f + "'; expected one of " + known));
            }
        });
    }
}
