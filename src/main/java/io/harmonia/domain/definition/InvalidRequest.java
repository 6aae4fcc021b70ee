package io.harmonia.domain.definition;

import io.harmonia.domain.definition.Problem;
import java.util.List;

/** A request with problems, all of them; becomes a 422 problem+json response. */
public final class InvalidRequest extends RuntimeException {
    private final List<Problem> problems;

    public InvalidRequest(String title, List<Problem> problems) {
        super(title);
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }
}
