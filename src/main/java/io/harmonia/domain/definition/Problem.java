package io.harmonia.domain.definition;

/**
 * One thing wrong with a request, located by a JSON pointer (RFC 6901) into the request body.
 *
 * @param pointer where, e.g. {@code /tasks/1/depends_on/0}
 * @param reason what was expected and what was found
 */
public record Problem(String pointer, String reason) {}
