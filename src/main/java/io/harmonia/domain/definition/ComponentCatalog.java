package io.harmonia.domain.definition;

import java.util.Optional;
import java.util.Set;

/** What validation needs to know about components: which exist and which actions they offer. */
public interface ComponentCatalog {

    /** The actions of the named component, or empty when no such component is registered. */
    Optional<Set<String>> actionsOf(String component);

    /** All registered component names. */
    Set<String> components();
}
