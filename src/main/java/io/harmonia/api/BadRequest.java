package io.harmonia.api;

import io.harmonia.domain.definition.Problem;
import java.util.List;

/** A request parameter or body that cannot be used, with where and why. */
public final class BadRequest extends RuntimeException {
    final int status;
    final List<Problem> problems;

    public BadRequest(int status, String message, List<Problem> problems) {
        super(message);
        this.status = status;
        this.problems = problems;
    }

    public static BadRequest of(String pointer, String reason) {
        return new BadRequest(400, reason, List.of(new Problem(pointer, reason)));
    }
}
