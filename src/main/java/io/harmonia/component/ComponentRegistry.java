package io.harmonia.component;

import io.harmonia.domain.definition.ComponentCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** Every {@link Component} bean, by name. Validation and dispatch both go through it. */
@ApplicationScoped
public class ComponentRegistry implements ComponentCatalog {

    private final Map<String, Component> byName = new TreeMap<>();

    public ComponentRegistry(@Any Instance<Component> components, @Any Instance<ComponentProvider> providers) {
        for (Component c : components) {
            register(c);
        }
        for (ComponentProvider p : providers) {
            p.components().forEach(this::register);
        }
    }

    private void register(Component c) {
        Component previous = byName.put(c.name(), c);
        if (previous != null) {
            throw new IllegalStateException("Expected one component named '" + c.name() + "', found "
                    + previous.getClass().getName() + " and " + c.getClass().getName());
        }
    }

    /** Every registered component, by name. */
    public Collection<Component> all() {
        return java.util.Collections.unmodifiableCollection(byName.values());
    }

    public Optional<Component> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    @Override
    public Optional<Set<String>> actionsOf(String component) {
        return get(component).map(Component::actions);
    }

    @Override
    public Set<String> components() {
        return byName.keySet();
    }

    @Override
    public String inputProblem(String component, String action, com.fasterxml.jackson.databind.JsonNode input) {
        return io.harmonia.component.builtin.CoreComponent.NAME.equals(component)
                ? io.harmonia.component.builtin.CoreInputChecks.problem(action, input) : null;
    }
}
