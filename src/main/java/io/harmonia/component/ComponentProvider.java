package io.harmonia.component;

import java.util.List;

/** A source of components that are not beans themselves, e.g. worker components declared in configuration. */
public interface ComponentProvider {
    List<Component> components();
}
