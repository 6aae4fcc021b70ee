package io.harmonia.domain.definition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;

/**
 * The stored form of a definition: the request body as it was written (field names, order, {@code timeout} in
 * seconds, a retry count, tasks as a map...), less the fields Harmonia assigns itself. GET returns it with those
 * fields added, and it validates as a request body again, so what GET returns can be PUT back.
 */
public final class DefinitionJson {

    /** Fields Harmonia assigns: accepted in a request body (so a GET body can be sent back) but not stored. */
    public static final Set<String> ASSIGNED = Set.of("workflow_id", "id", "version", "created_at", "updated_at");

    private DefinitionJson() {}

    /** The body to store: a copy without the {@link #ASSIGNED} fields. */
    public static ObjectNode written(JsonNode body) {
        ObjectNode copy = ((ObjectNode) body).deepCopy();
        copy.remove(ASSIGNED);
        return copy;
    }
}
