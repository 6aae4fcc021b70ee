package io.harmonia.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harmonia.domain.definition.ComponentCatalog;
import io.harmonia.domain.definition.DefinitionValidator;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.expression.CelExpressionEngine;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Builds definitions from JSON for pure tests. */
public final class TestDefinitions {
    public static final ObjectMapper JSON = new ObjectMapper();
    public static final CelExpressionEngine CEL = new CelExpressionEngine(CelExpressionEngine.Limits.defaults());
    public static final ComponentCatalog CATALOG = new ComponentCatalog() {
        private final Map<String, Set<String>> actions = Map.of(
                "core", Set.of("echo", "transform", "sleep", "fail", "wait", "wait_for_signal"), "http", Set.of("request"),
                "workflow", Set.of("run"));

        @Override
        public Optional<Set<String>> actionsOf(String component) {
            return Optional.ofNullable(actions.get(component));
        }

        @Override
        public Set<String> components() {
            return actions.keySet();
        }
    };
    public static final DefinitionValidator VALIDATOR = new DefinitionValidator(CATALOG, CEL, schema -> List.of());

    private TestDefinitions() {}

    public static JsonNode json(String json) {
        try {
            return JSON.readTree(json.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Single quotes stand for double quotes, to keep test JSON readable. */
    public static WorkflowDefinition workflow(String json) {
        DefinitionValidator.Result r = VALIDATOR.validate(json(json));
        if (!r.valid()) {
            throw new IllegalArgumentException("invalid test workflow: " + r.problems());
        }
        return r.definition().withIdAndVersion("00000000-0000-0000-0000-0000000000aa", 1);
    }
}
