package io.harmonia.api.stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.api.ProblemMappers;
import io.harmonia.api.ProblemTypes;
import io.harmonia.domain.definition.Problem;
import io.harmonia.domain.execution.ExecutionNotFound;
import io.harmonia.stream.BadStreamRequest;
import java.util.List;

/** Stream request failures as problem+json, the same documents the REST API answers with. */
final class StreamProblems {

    /** A status and its problem+json body. */
    record Answer(int status, String title, String detail, JsonNode body) {}

    private StreamProblems() {}

    static Answer of(Throwable t) {
        if (t instanceof BadStreamRequest bad) {
            return answer(400, ProblemTypes.of(400), ProblemTypes.title(400), bad.getMessage(),
                    List.of(new Problem(bad.pointer(), bad.getMessage())));
        }
        if (t instanceof ExecutionNotFound nf) {
            return answer(404, ProblemTypes.of(404), "Execution not found", nf.getMessage(), List.of());
        }
        return answer(500, ProblemTypes.of(500), ProblemTypes.title(500), "An unexpected error occurred; it is logged",
                List.of());
    }

    private static Answer answer(int status, String type, String title, String detail, List<Problem> problems) {
        JsonNode body = (JsonNode) ProblemMappers.problem(status, type, title, detail, problems).getEntity();
        return new Answer(status, title, detail, body);
    }

    /** A header-safe version of a detail (printable ASCII, bounded). */
    static String headerValue(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 300));
        for (int i = 0; i < s.length() && b.length() < 300; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return b.toString();
    }
}
