package io.harmonia.component;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What {@code GET /api/components} says about one action. Informational: validation checks only that the action
 * exists; the component itself checks its input when the task runs.
 *
 * @param summary what the action does, one or two sentences
 * @param input a JSON Schema of the input the action expects (null: not described)
 * @param output a JSON Schema of the output it produces on success (null: not described)
 */
public record ActionDescription(String summary, JsonNode input, JsonNode output) {}
