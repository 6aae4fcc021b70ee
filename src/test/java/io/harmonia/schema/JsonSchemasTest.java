package io.harmonia.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class JsonSchemasTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PERSON = """
            {"type": "object",
             "required": ["n"],
             "properties": {
               "n": {"type": "integer", "minimum": 0},
               "name": {"type": "string"},
               "tags": {"type": "array", "items": {"type": "string"}},
               "kind": {"enum": ["a", "b"]}
             }}""";

    private final JsonSchemas schemas = new JsonSchemas();

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void validInstanceHasNoProblems() {
        assertThat(schemas.validate(json(PERSON), json("{\"n\": 3, \"name\": \"x\", \"tags\": [\"t\"]}"))).isEmpty();
    }

    @Test
    void missingRequiredPropertyIsReportedAtTheObject() {
        assertThat(schemas.validate(json(PERSON), json("{\"name\": \"x\"}")))
                .containsExactly(new SchemaProblem("", "required property 'n' is missing"));
    }

    @Test
    void wrongTypeIsReportedWithItsPointer() {
        assertThat(schemas.validate(json(PERSON), json("{\"n\": \"three\"}")))
                .containsExactly(new SchemaProblem("/n", "expected integer, found string"));
        assertThat(schemas.validate(json(PERSON), json("{\"n\": 1, \"tags\": [\"ok\", 5]}")))
                .containsExactly(new SchemaProblem("/tags/1", "expected string, found integer"));
        assertThat(schemas.validate(json(PERSON), json("[]")))
                .containsExactly(new SchemaProblem("", "expected object, found array"));
    }

    @Test
    void severalViolationsAreAllReported() {
        List<SchemaProblem> problems = schemas.validate(json(PERSON), json("{\"n\": -1, \"kind\": \"c\"}"));
        assertThat(problems).extracting(SchemaProblem::pointer).containsExactlyInAnyOrder("/n", "/kind");
        assertThat(problems).anySatisfy(p -> assertThat(p.message()).contains("minimum", "0"));
        assertThat(problems).contains(new SchemaProblem("/kind", "must be one of [\"a\",\"b\"], found \"c\""));
    }

    @Test
    void pointersEscapeSpecialCharacters() {
        JsonNode schema = json("{\"properties\": {\"a/b\": {\"type\": \"string\"}, \"c~d\": {\"type\": \"string\"}}}");
        assertThat(schemas.validate(schema, json("{\"a/b\": 1, \"c~d\": 2}")))
                .extracting(SchemaProblem::pointer)
                .containsExactlyInAnyOrder("/a~1b", "/c~0d");
    }

    @Test
    void alternativesAreMergedIntoOneProblem() {
        JsonNode schema = json("{\"anyOf\": [{\"type\": \"string\"}, {\"type\": \"integer\"}]}");
        assertThat(schemas.validate(schema, json("true")))
                .containsExactly(new SchemaProblem("", "expected string, found boolean; or expected integer, found boolean"));
        // an alternative failing only on type is left out when another one has the right type
        JsonNode oneOf = json("{\"oneOf\": [{\"type\": \"string\"}, {\"type\": \"integer\", \"minimum\": 3}]}");
        assertThat(schemas.validate(oneOf, json("1")))
                .containsExactly(new SchemaProblem("", "must have a minimum value of 3"));
    }

    @Test
    void emptyOrNullSchemaAcceptsAnything() {
        assertThat(schemas.validate(null, json("{\"x\": 1}"))).isEmpty();
        assertThat(schemas.validate(NullNode.instance, json("5"))).isEmpty();
        assertThat(schemas.validate(json("{}"), json("[1, 2]"))).isEmpty();
        assertThat(schemas.validate(json("true"), json("\"x\""))).isEmpty();
        assertThat(schemas.validate(json("false"), json("\"x\""))).hasSize(1);
        assertThat(schemas.checkSchema(null)).isEmpty();
        assertThat(schemas.checkSchema(json("{}"))).isEmpty();
        assertThat(schemas.checkSchema(json("true"))).isEmpty();
    }

    @Test
    void nullInstanceIsValidatedAsJsonNull() {
        assertThat(schemas.validate(json("{\"type\": \"object\"}"), null))
                .containsExactly(new SchemaProblem("", "expected object, found null"));
        assertThat(schemas.validate(json("{\"type\": [\"object\", \"null\"]}"), null)).isEmpty();
    }

    @Test
    void validSchemaPassesTheCheck() {
        assertThat(schemas.checkSchema(json(PERSON))).isEmpty();
        assertThat(schemas.checkSchema(json(
                "{\"$defs\": {\"pos\": {\"type\": \"integer\", \"minimum\": 1}},"
                        + " \"properties\": {\"a\": {\"$ref\": \"#/$defs/pos\"}}}")))
                .isEmpty();
    }

    @Test
    void badTypeNameIsReported() {
        List<SchemaProblem> problems =
                schemas.checkSchema(json("{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integr\"}}}"));
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0).pointer()).isEqualTo("/properties/n/type");
        assertThat(problems.get(0).message())
                .isEqualTo("must be one of [\"array\",\"boolean\",\"integer\",\"null\",\"number\",\"object\",\"string\"],"
                        + " found \"integr\"");
    }

    @Test
    void otherSchemaMistakesAreReported() {
        assertThat(schemas.checkSchema(json("{\"required\": \"n\"}")))
                .containsExactly(new SchemaProblem("/required", "expected array, found string"));
        assertThat(schemas.checkSchema(json("{\"minimum\": \"zero\"}")))
                .extracting(SchemaProblem::pointer).containsExactly("/minimum");
        List<SchemaProblem> badRegex = schemas.checkSchema(json("{\"properties\": {\"p\": {\"pattern\": \"((\"}}}"));
        assertThat(badRegex).extracting(SchemaProblem::pointer).containsExactly("/properties/p/pattern");
        assertThat(badRegex.get(0).message()).startsWith("invalid regular expression \"((\"");
        assertThat(schemas.checkSchema(json("\"string\"")))
                .containsExactly(new SchemaProblem("", "a schema must be an object or a boolean; found string"));
    }

    @Test
    void unresolvableLocalRefIsReported() {
        List<SchemaProblem> problems =
                schemas.checkSchema(json("{\"properties\": {\"a\": {\"$ref\": \"#/$defs/nope\"}}}"));
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0).pointer()).isEqualTo("/properties/a/$ref");
        assertThat(problems.get(0).message()).contains("#/$defs/nope");
    }

    @Test
    void remoteRefsAreNeverFetched() {
        long start = System.nanoTime();
        List<SchemaProblem> problems = schemas.checkSchema(json(
                "{\"properties\": {\"a\": {\"$ref\": \"https://schemas.example.invalid/thing.json\"}}}"));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0).pointer()).isEqualTo("/properties/a/$ref");
        assertThat(problems.get(0).message()).contains("https://schemas.example.invalid/thing.json", "never fetched");

        // validate() says the schema is unusable rather than throwing or hanging
        List<SchemaProblem> onValidate = schemas.validate(
                json("{\"$ref\": \"http://localhost:1/x.json\"}"), json("1"));
        assertThat(onValidate).hasSize(1);
        assertThat(onValidate.get(0).message()).startsWith("the schema is invalid");

        // relative references have no base to be resolved against, and are not read from the classpath either
        assertThat(schemas.checkSchema(json("{\"$ref\": \"other.json\"}"))).hasSize(1);
        assertThat(schemas.checkSchema(json("{\"$ref\": \"classpath:application.properties\"}"))).hasSize(1);
    }

    @Test
    void schemaWithARemoteIdStillResolvesItsOwnRefs() {
        JsonNode schema = json("{\"$id\": \"https://example.com/order\", \"$defs\": {\"pos\": {\"type\": \"integer\"}},"
                + " \"properties\": {\"q\": {\"$ref\": \"#/$defs/pos\"}}}");
        assertThat(schemas.checkSchema(schema)).isEmpty();
        assertThat(schemas.validate(schema, json("{\"q\": \"x\"}")))
                .containsExactly(new SchemaProblem("/q", "expected integer, found string"));
    }

    @Test
    void draft07SchemaWorks() {
        JsonNode schema = json("{\"$schema\": \"http://json-schema.org/draft-07/schema#\","
                + " \"definitions\": {\"pos\": {\"type\": \"integer\", \"exclusiveMinimum\": 0}},"
                + " \"type\": \"object\", \"required\": [\"q\"],"
                + " \"properties\": {\"q\": {\"$ref\": \"#/definitions/pos\"}}}");
        assertThat(schemas.checkSchema(schema)).isEmpty();
        assertThat(schemas.validate(schema, json("{\"q\": 2}"))).isEmpty();
        assertThat(schemas.validate(schema, json("{\"q\": \"x\"}")))
                .containsExactly(new SchemaProblem("/q", "expected integer, found string"));
        assertThat(schemas.validate(schema, json("{\"q\": 0}"))).extracting(SchemaProblem::pointer)
                .containsExactly("/q");
        assertThat(schemas.validate(schema, json("{}")))
                .containsExactly(new SchemaProblem("", "required property 'q' is missing"));

        // a draft-07 schema is checked against the draft-07 meta-schema
        List<SchemaProblem> bad = schemas.checkSchema(json(
                "{\"$schema\": \"http://json-schema.org/draft-07/schema#\", \"type\": \"integr\"}"));
        assertThat(bad).extracting(SchemaProblem::pointer).containsExactly("/type");
    }

    @Test
    void draft201909SchemaWorks() {
        JsonNode schema = json("{\"$schema\": \"https://json-schema.org/draft/2019-09/schema\","
                + " \"$defs\": {\"s\": {\"type\": \"string\"}}, \"items\": {\"$ref\": \"#/$defs/s\"}}");
        assertThat(schemas.checkSchema(schema)).isEmpty();
        assertThat(schemas.validate(schema, json("[\"a\", 1]")))
                .containsExactly(new SchemaProblem("/1", "expected string, found integer"));
    }

    @Test
    void unknownDialectIsReported() {
        assertThat(schemas.checkSchema(json("{\"$schema\": \"https://example.com/my-dialect\"}")))
                .extracting(SchemaProblem::pointer).containsExactly("/$schema");
        assertThat(schemas.validate(json("{\"$schema\": \"https://example.com/my-dialect\"}"), json("1")))
                .hasSize(1);
    }

    @Test
    void compiledSchemasAreReusedAndUnaffectedByLaterChangesToTheNode() {
        ObjectNode schema = (ObjectNode) json("{\"type\": \"integer\"}");
        assertThat(schemas.validate(schema, json("1"))).isEmpty();
        schema.put("type", "string");
        // a changed node is a different schema
        assertThat(schemas.validate(schema, json("1")))
                .containsExactly(new SchemaProblem("", "expected string, found integer"));
        // key order does not matter for the cache key, and the same results come back
        assertThat(schemas.validate(json("{\"minimum\": 1, \"type\": \"integer\"}"), json("0")))
                .isEqualTo(schemas.validate(json("{\"type\": \"integer\", \"minimum\": 1}"), json("0")));
    }

    @Test
    void boundedCacheKeepsWorking() {
        JsonSchemas small = new JsonSchemas(2);
        for (int i = 0; i < 10; i++) {
            JsonNode schema = json("{\"type\": \"integer\", \"maximum\": " + i + "}");
            assertThat(small.validate(schema, json("5"))).hasSize(i < 5 ? 1 : 0);
        }
    }

    @Test
    void isThreadSafe() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<SchemaProblem>>> results = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int n = i;
                results.add(pool.submit(() -> schemas.validate(json(PERSON), json("{\"n\": \"" + (n % 3) + "\"}"))));
            }
            for (Future<List<SchemaProblem>> result : results) {
                assertThat(result.get(30, TimeUnit.SECONDS))
                        .containsExactly(new SchemaProblem("/n", "expected integer, found string"));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
