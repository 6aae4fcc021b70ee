package io.harmonia.schema;

/**
 * One problem found by {@link JsonSchemas}: where it is and what is wrong.
 *
 * @param pointer an RFC 6901 JSON pointer: into the instance for {@link JsonSchemas#validate}, into the schema for
 *     {@link JsonSchemas#checkSchema}; the empty string for the root
 * @param message a human-readable explanation, e.g. {@code required property 'n' is missing} or
 *     {@code expected integer, found string}
 */
public record SchemaProblem(String pointer, String message) {

    @Override
    public String toString() {
        return (pointer.isEmpty() ? "(root)" : pointer) + ": " + message;
    }
}
