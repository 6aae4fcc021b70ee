package io.harmonia.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Schemas that apply themselves to the same value without end are refused; recursive data schemas are not. */
class SchemaCyclesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final JsonSchemas schemas = new JsonSchemas();

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private List<SchemaProblem> check(String schema) {
        return schemas.checkSchema(json(schema));
    }

    @Test
    void aSelfReferenceIsACycle() {
        assertThat(check("{'$ref': '#'}")).singleElement()
                .satisfies(p -> assertThat(p.pointer()).isEqualTo("/$ref"))
                .satisfies(p -> assertThat(p.message()).contains("cycle"));
    }

    @Test
    void cyclesThroughDefsAllOfAnyOfNotAndAnchorsAreFound() {
        assertThat(check("{'$defs': {'a': {'allOf': [{'$ref': '#/$defs/b'}]}, 'b': {'anyOf': [{'$ref': '#/$defs/a'}]}},"
                + " '$ref': '#/$defs/a'}")).singleElement().satisfies(p -> assertThat(p.message()).contains("cycle"));
        assertThat(check("{'$defs': {'a': {'$anchor': 'x', 'not': {'$ref': '#x'}}}, 'oneOf': [{'$ref': '#x'}]}"))
                .singleElement().satisfies(p -> assertThat(p.message()).contains("cycle"));
        assertThat(check("{'$dynamicAnchor': 'meta', 'if': {'$dynamicRef': '#meta'}}")).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("cycle"));
        assertThat(check("{'$id': 'https://example.com/s', '$defs': {'a': {'$ref': 'https://example.com/s'}},"
                + " 'allOf': [{'$ref': '#/$defs/a'}]}")).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("cycle"));
        assertThat(check("{'$defs': {'a~b': {'$ref': '#/$defs/a~0b'}}, '$ref': '#/$defs/a~0b'}")).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("cycle"));
    }

    @Test
    void aRecursiveSchemaThatDescendsIntoTheValueIsFine() {
        String tree = "{'type': 'object', 'properties': {'value': {'type': 'integer'},"
                + " 'children': {'type': 'array', 'items': {'$ref': '#'}}}}";
        assertThat(check(tree)).isEmpty();
        assertThat(schemas.validate(json(tree), json("{'value': 1, 'children': [{'value': 2, 'children': []}]}")))
                .isEmpty();
        assertThat(check("{'$defs': {'n': {'type': 'integer'}}, 'allOf': [{'$ref': '#/$defs/n'}],"
                + " 'anyOf': [{'$ref': '#/$defs/n'}]}")).isEmpty();
    }

    @Test
    void validatingAgainstACycleIsAProblemNotAStackOverflow() {
        // a stored schema accepted before cycles were refused: starts answer 422, not 500
        assertThat(schemas.validate(json("{'$ref': '#'}"), json("{'n': 1}"))).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("cycle"));
    }
}
