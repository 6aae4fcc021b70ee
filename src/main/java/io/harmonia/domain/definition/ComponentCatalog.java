package io.harmonia.domain.definition;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.util.Set;

/** What validation needs to know about components: which exist and which actions they offer. */
public interface ComponentCatalog {

    /** The actions of the named component, or empty when no such component is registered. */
    Optional<Set<String>> actionsOf(String component);

    /** All registered component names. */
    Set<String> components();

    /**
     * Why a literal input (one without templates) of {@code component.action} is refused at definition time, or
     * null when it is valid or the component checks its input only when a task runs.
     */
    default String inputProblem(String component, String action, JsonNode literalInput) {
        return null;
    }
}
