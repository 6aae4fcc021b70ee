package io.harmonia.expression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import io.harmonia.domain.expression.EvaluationContext;
import io.harmonia.domain.expression.ExpressionEngine.ExpressionProblem;
import io.harmonia.domain.expression.ExpressionException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("CelExpressionEngine")
class CelExpressionEngineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant STARTED_AT = Instant.parse("2026-01-02T03:04:05.123Z");
    private static final Instant NOW = Instant.parse("2026-03-04T05:06:07.089Z");

    private final CelExpressionEngine engine = new CelExpressionEngine(CelExpressionEngine.Limits.defaults());
    private final EvaluationContext ctx = context("seed-1");

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static EvaluationContext context(String uuidSeed) {
        Map<String, JsonNode> tasks = new LinkedHashMap<>();
        tasks.put("task1", json("{'output': {'value': 21, 'label': 'done'}, 'status': 'COMPLETED', 'error': null}"));
        tasks.put("task2", json("{'output': null, 'status': 'FAILED', 'error': {'message': 'boom'}}"));
        return new EvaluationContext(
                json("{'n': 3, 'x': 1.5, 'name': 'Ada', 'items': [1, 2, 3], 'nested': {'a': {'b': true}},"
                        + " 'nothing': null, 'when': '2026-01-02T03:04:05Z'}"),
                tasks,
                "exec-1",
                "wf-1",
                STARTED_AT,
                json("{'counter': 2}"),
                NOW,
                uuidSeed);
    }

    private JsonNode resolve(String template) {
        return engine.resolve(TextNode.valueOf(template), ctx);
    }

    private JsonNode eval(String expression) {
        return resolve("${" + expression + "}");
    }

    @Nested
    @DisplayName("a string that is exactly one placeholder yields the raw JSON value")
    class SinglePlaceholder {

        @Test
        @DisplayName("a number stays a number")
        void number() {
            JsonNode result = resolve("${input.n}");
            assertThat(result.isIntegralNumber()).isTrue();
            assertThat(result.longValue()).isEqualTo(3L);
        }

        @Test
        @DisplayName("an object stays an object")
        void object() {
            assertThat(resolve("${input.nested}")).isEqualTo(json("{'a': {'b': true}}"));
        }

        @Test
        @DisplayName("a list stays a list, and CEL-built values come out as JSON")
        void list() {
            assertThat(resolve("${input.items}").toString()).isEqualTo("[1,2,3]");
            assertThat(resolve("${input.items.map(i, i * 10)}").toString()).isEqualTo("[10,20,30]");
            assertThat(resolve("${ {'k': [true, null, 'v', 2.5]} }").toString())
                    .isEqualTo("{\"k\":[true,null,\"v\",2.5]}");
        }

        @Test
        @DisplayName("strings, booleans and null keep their JSON types")
        void scalars() {
            assertThat(resolve("${input.name}")).isEqualTo(TextNode.valueOf("Ada"));
            assertThat(resolve("${input.nested.a.b}").isBoolean()).isTrue();
            assertThat(resolve("${input.nothing}").isNull()).isTrue();
        }

        @Test
        @DisplayName("whitespace inside the braces is allowed")
        void whitespace() {
            assertThat(resolve("${   input.n  }").longValue()).isEqualTo(3L);
        }

        @Test
        @DisplayName("numbers come out as the nodes Jackson reads for the same JSON text")
        void numberNodes() {
            assertThat(eval("7")).isEqualTo(json("7"));
            assertThat(eval("7 * 1000000000000")).isEqualTo(json("7000000000000"));
            assertThat(eval("7.5")).isEqualTo(json("7.5"));
            assertThat(eval("7u")).isEqualTo(json("7"));
            assertThat(eval("18446744073709551615u").bigIntegerValue()).hasToString("18446744073709551615");
        }

        @Test
        @DisplayName("timestamps, durations and bytes become text")
        void textualTypes() {
            assertThat(eval("timestamp('2026-01-02T03:04:05Z')").textValue()).isEqualTo("2026-01-02T03:04:05Z");
            assertThat(eval("duration('90s')").textValue()).isEqualTo("PT1M30S");
            assertThat(eval("b'hi'").textValue()).isEqualTo("aGk=");
        }
    }

    @Nested
    @DisplayName("placeholders inside a longer string are interpolated")
    class Interpolation {

        @Test
        @DisplayName("strings are inserted as they are")
        void strings() {
            assertThat(resolve("Hello ${input.name}!").textValue()).isEqualTo("Hello Ada!");
        }

        @Test
        @DisplayName("other values are inserted as compact JSON, null as 'null'")
        void otherValues() {
            assertThat(resolve("n=${input.n} x=${input.x} items=${input.items} o=${input.nested} z=${input.nothing}")
                            .textValue())
                    .isEqualTo("n=3 x=1.5 items=[1,2,3] o={\"a\":{\"b\":true}} z=null");
        }

        @Test
        @DisplayName("whitespace around a single placeholder makes it an interpolation")
        void whitespaceOutside() {
            assertThat(resolve(" ${input.n}").textValue()).isEqualTo(" 3");
        }

        @Test
        @DisplayName("a string without placeholders is returned unchanged")
        void unchanged() {
            TextNode plain = TextNode.valueOf("just $ text { }");
            assertThat(engine.resolve(plain, ctx)).isSameAs(plain);
        }

        @Test
        @DisplayName("objects and arrays are resolved member by member; other values are kept")
        void walk() {
            JsonNode template = json("{'a': '${input.n}', 'b': ['${input.name}', 'id-${execution.id}', 5, true,"
                    + " null], 'c': {'d': '${tasks.task1.output}'}}");
            assertThat(engine.resolve(template, ctx))
                    .isEqualTo(json("{'a': 3, 'b': ['Ada', 'id-exec-1', 5, true, null],"
                            + " 'c': {'d': {'value': 21, 'label': 'done'}}}"));
        }
    }

    @Nested
    @DisplayName("placeholder syntax")
    class PlaceholderSyntax {

        @Test
        @DisplayName("$${ is a literal ${")
        void escape() {
            assertThat(resolve("$${input.n}").textValue()).isEqualTo("${input.n}");
            assertThat(resolve("cost: $${x} for ${input.n}").textValue()).isEqualTo("cost: ${x} for 3");
        }

        @Test
        @DisplayName("a } inside a string literal does not end the placeholder")
        void braceInStringLiteral() {
            assertThat(resolve("${ \"}\" }").textValue()).isEqualTo("}");
            assertThat(resolve("${ '}' + \"{\" }").textValue()).isEqualTo("}{");
            assertThat(resolve("[${ 'a\\'}' }]").textValue()).isEqualTo("[a'}]");
            assertThat(resolve("${ '''x}''' }").textValue()).isEqualTo("x}");
        }

        @Test
        @DisplayName("nested braces (map literals) are part of the expression")
        void nestedBraces() {
            assertThat(resolve("${ {'a': 1}.a }").longValue()).isEqualTo(1L);
            assertThat(resolve("v=${ {'a': {'b': 'c'}}.a.b }.").textValue()).isEqualTo("v=c.");
        }

        @Test
        @DisplayName("an unterminated placeholder fails to resolve")
        void unterminated() {
            assertThatThrownBy(() -> resolve("oops ${input.n"))
                    .isInstanceOf(ExpressionException.class)
                    .hasMessageContaining("unterminated");
        }
    }

    @Nested
    @DisplayName("numbers from JSON")
    class Numbers {

        @Test
        @DisplayName("JSON integers compare with CEL ints")
        void comparison() {
            assertThat(engine.test("input.n > 0", ctx)).isTrue();
            assertThat(engine.test("input.n == 3", ctx)).isTrue();
        }

        @Test
        @DisplayName("integer arithmetic on JSON integers gives integers")
        void arithmetic() {
            JsonNode doubled = eval("tasks.task1.output.value * 2");
            assertThat(doubled.isIntegralNumber()).isTrue();
            assertThat(doubled.longValue()).isEqualTo(42L);
            assertThat(eval("7 / 2").longValue()).isEqualTo(3L);
        }

        @Test
        @DisplayName("ints and doubles compare with each other")
        void heterogeneousComparison() {
            assertThat(engine.test("input.x > 1", ctx)).isTrue();
            assertThat(engine.test("input.n < 3.5", ctx)).isTrue();
        }

        @Test
        @DisplayName("ints and doubles do not mix in arithmetic")
        void noMixedArithmetic() {
            assertThatThrownBy(() -> eval("input.x + 1"))
                    .isInstanceOf(ExpressionException.class)
                    .hasMessageContaining("input.x + 1");
            assertThat(eval("input.x + 1.0").doubleValue()).isEqualTo(2.5);
        }

        @Test
        @DisplayName("NaN and infinity have no JSON form")
        void nan() {
            assertThatThrownBy(() -> eval("0.0 / 0.0"))
                    .isInstanceOf(ExpressionException.class)
                    .hasMessageContaining("0.0 / 0.0")
                    .hasMessageContaining("NaN");
        }
    }

    @Nested
    @DisplayName("variables")
    class Variables {

        @Test
        @DisplayName("tasks expose output, status and error")
        void tasks() {
            assertThat(eval("tasks.task1.output.value").longValue()).isEqualTo(21L);
            assertThat(eval("tasks.task1.status").textValue()).isEqualTo("COMPLETED");
            assertThat(eval("tasks.task1.error").isNull()).isTrue();
            assertThat(eval("tasks.task2.error.message").textValue()).isEqualTo("boom");
            assertThat(engine.test("'task2' in tasks && !has(tasks.task3)", ctx)).isTrue();
        }

        @Test
        @DisplayName("execution exposes id, workflow_id and started_at")
        void execution() {
            assertThat(eval("execution.id").textValue()).isEqualTo("exec-1");
            assertThat(eval("execution.workflow_id").textValue()).isEqualTo("wf-1");
            assertThat(eval("execution.started_at").textValue()).isEqualTo("2026-01-02T03:04:05.123Z");
            assertThat(engine.test("timestamp(execution.started_at) < timestamp(now())", ctx)).isTrue();
        }

        @Test
        @DisplayName("state is readable, and an empty map when the context has none")
        void state() {
            assertThat(eval("state.counter + 1").longValue()).isEqualTo(3L);
            EvaluationContext noState = new EvaluationContext(
                    ctx.input(), ctx.tasks(), "e", "w", STARTED_AT, null, NOW, "s");
            assertThat(engine.resolve(TextNode.valueOf("${state.size()}"), noState).longValue()).isZero();
        }
    }

    @Nested
    @DisplayName("run-time errors become ExpressionExceptions naming the expression")
    class RuntimeErrors {

        @Test
        @DisplayName("a missing key")
        void missingKey() {
            assertThatThrownBy(() -> eval("input.missing"))
                    .isInstanceOfSatisfying(ExpressionException.class, e -> {
                        assertThat(e.expression()).isEqualTo("input.missing");
                        assertThat(e.getMessage()).contains("'input.missing'").contains("missing");
                    });
        }

        @Test
        @DisplayName("division by zero")
        void divisionByZero() {
            assertThatThrownBy(() -> eval("input.n / 0"))
                    .isInstanceOf(ExpressionException.class)
                    .hasMessageContaining("input.n / 0")
                    .hasMessageContaining("by zero");
        }

        @Test
        @DisplayName("a type error")
        void typeError() {
            assertThatThrownBy(() -> eval("input.name * 2"))
                    .isInstanceOf(ExpressionException.class)
                    .hasMessageContaining("input.name * 2")
                    .hasMessageContaining("overload");
        }

        @Test
        @DisplayName("an expression that does not compile")
        void invalid() {
            assertThatThrownBy(() -> eval("1 +"))
                    .isInstanceOf(ExpressionException.class)
                    .hasMessageContaining("'1 +' is invalid");
        }
    }

    @Nested
    @DisplayName("check and checkTemplate report compile problems")
    class Checking {

        @Test
        @DisplayName("a valid expression has no problems")
        void valid() {
            assertThat(engine.check("input.n > 0 && tasks.task1.status == 'COMPLETED' && uuid() != now()"))
                    .isEmpty();
        }

        @Test
        @DisplayName("syntax errors and undeclared names are problems with a position")
        void problems() {
            assertThat(engine.check("1 +")).singleElement().asString().startsWith("1:");
            assertThat(engine.check("nope.x")).singleElement().asString().contains("nope");
            assertThat(engine.check("formatDate(1, 2)")).isNotEmpty();
            assertThat(engine.check("")).isNotEmpty();
        }

        @Test
        @DisplayName("an expression above the length limit is a problem")
        void tooLong() {
            String expression = "1" + " + 1".repeat(1100);
            assertThat(engine.check(expression)).singleElement().asString().contains("above the limit of 4096");
        }

        @Test
        @DisplayName("template problems carry the JSON pointer (RFC 6901), the expression and the reason")
        void templatePointers() {
            JsonNode template = json("{'a': {'b/c': ['fine ${input.n}', 'bad ${ nope }']}, 'x~y': '${1 +}',"
                    + " 'ok': '$${not checked}'}");
            List<ExpressionProblem> problems = engine.checkTemplate(template);
            assertThat(problems).extracting(ExpressionProblem::pointer).containsExactly("/a/b~1c/1", "/x~0y");
            assertThat(problems).extracting(ExpressionProblem::expression).containsExactly("nope", "1 +");
            assertThat(problems.get(0).reason()).contains("nope");
        }

        @Test
        @DisplayName("an unterminated placeholder is a template problem")
        void unterminated() {
            List<ExpressionProblem> problems = engine.checkTemplate(json("['${ input.n ']"));
            assertThat(problems).singleElement().satisfies(p -> {
                assertThat(p.pointer()).isEqualTo("/0");
                assertThat(p.reason()).contains("unterminated");
            });
        }

        @Test
        @DisplayName("a template at the root has the empty pointer; a clean template has no problems")
        void rootAndClean() {
            assertThat(engine.checkTemplate(TextNode.valueOf("${)"))).extracting(ExpressionProblem::pointer)
                    .containsExactly("");
            assertThat(engine.checkTemplate(json("{'a': ['${input.n}', 1, null, 'x']}"))).isEmpty();
        }

        @Test
        @DisplayName("Java classes are out of reach")
        void sandbox() {
            assertThat(engine.check("java.lang.System.exit(1)")).isNotEmpty();
            assertThat(engine.check("'x'.getClass()")).isNotEmpty();
        }
    }

    @Nested
    @DisplayName("conditions")
    class Conditions {

        @Test
        @DisplayName("a plain expression or a single ${...} placeholder")
        void forms() {
            assertThat(engine.test("input.n > 2", ctx)).isTrue();
            assertThat(engine.test("${ input.n > 5 }", ctx)).isFalse();
            assertThat(engine.test("  ${input.items.exists(i, i == 2)}  ", ctx)).isTrue();
        }

        @Test
        @DisplayName("a non-boolean result is an error naming its type and value")
        void nonBoolean() {
            assertThatThrownBy(() -> engine.test("input.n", ctx))
                    .isInstanceOf(ExpressionException.class)
                    .hasMessage("condition 'input.n' yielded int 3, expected a boolean");
            assertThatThrownBy(() -> engine.test("${input.name}", ctx))
                    .isInstanceOf(ExpressionException.class)
                    .hasMessage("condition 'input.name' yielded string \"Ada\", expected a boolean");
            assertThatThrownBy(() -> engine.test("input.nothing", ctx))
                    .isInstanceOf(ExpressionException.class)
                    .hasMessage("condition 'input.nothing' yielded null null, expected a boolean");
        }

        @Test
        @DisplayName("a failing condition is an error")
        void failing() {
            assertThatThrownBy(() -> engine.test("input.missing > 1", ctx))
                    .isInstanceOf(ExpressionException.class)
                    .hasMessageContaining("input.missing > 1");
        }
    }

    @Nested
    @DisplayName("functions")
    class Functions {

        @Test
        @DisplayName("now() is the context's clock reading, not the real clock")
        void now() {
            assertThat(eval("now()").textValue()).isEqualTo("2026-03-04T05:06:07.089Z");
        }

        @Test
        @DisplayName("uuid() is deterministic for a seed and distinct across calls")
        void uuid() {
            JsonNode first = engine.resolve(json("['${uuid()}', '${uuid()}', 'id-${uuid()}']"), ctx);
            JsonNode again = engine.resolve(json("['${uuid()}', '${uuid()}', 'id-${uuid()}']"), context("seed-1"));
            JsonNode otherSeed = engine.resolve(json("['${uuid()}', '${uuid()}', 'id-${uuid()}']"),
                    context("seed-2"));

            assertThat(again).isEqualTo(first);
            assertThat(otherSeed.get(0)).isNotEqualTo(first.get(0));
            assertThat(first.get(0)).isNotEqualTo(first.get(1));
            assertThat(UUID.fromString(first.get(0).textValue()).version()).isEqualTo(3);
            assertThat(engine.test("uuid() != uuid()", ctx)).isTrue();
        }

        @Test
        @DisplayName("formatDate formats ISO-8601 text in UTC with moment-style tokens")
        void formatDate() {
            assertThat(eval("formatDate('2026-01-02T03:04:05.123Z', 'YYYY-MM-DD')").textValue())
                    .isEqualTo("2026-01-02");
            assertThat(eval("formatDate('2026-01-02T03:04:05.123Z', 'D/M/YY H:mm:ss.SSS')").textValue())
                    .isEqualTo("2/1/26 3:04:05.123");
            assertThat(eval("formatDate('2026-01-02T01:00:00+02:00', 'YYYY-MM-DD HH:mm')").textValue())
                    .isEqualTo("2026-01-01 23:00");
            assertThat(eval("formatDate('2026-07-09', 'DD.MM.YYYY [at] HH')").textValue())
                    .isEqualTo("09.07.2026 at 00");
            assertThat(eval("formatDate(input.when, 'YYYYMMDD')").textValue()).isEqualTo("20260102");
            assertThat(eval("formatDate(timestamp(now()) + duration('24h'), 'YYYY-MM-DD')").textValue())
                    .isEqualTo("2026-03-05");
        }

        @Test
        @DisplayName("formatDate on text that is not a date is an error")
        void formatDateBad() {
            assertThatThrownBy(() -> eval("formatDate('yesterday', 'YYYY')"))
                    .isInstanceOf(ExpressionException.class)
                    .hasMessageContaining("formatDate('yesterday', 'YYYY')")
                    .hasMessageContaining("not an ISO-8601");
        }

        @Test
        @DisplayName("parseJson and toJson convert between text and values")
        void jsonFunctions() {
            assertThat(eval("parseJson('{\"a\": [1, 2.5]}').a[0] + 1").longValue()).isEqualTo(2L);
            assertThat(eval("toJson({'a': [1, 'b', null]})").textValue()).isEqualTo("{\"a\":[1,\"b\",null]}");
            assertThatThrownBy(() -> eval("parseJson('{')")).isInstanceOf(ExpressionException.class)
                    .hasMessageContaining("invalid JSON");
        }

        @Test
        @DisplayName("the string extension is available")
        void strings() {
            assertThat(eval("input.name.upperAscii() + '-' + 'a,b'.split(',')[1]").textValue()).isEqualTo("ADA-b");
        }
    }

    @Nested
    @DisplayName("limits")
    class Limits {

        @Test
        @DisplayName("exceeding the comprehension budget is an error")
        void comprehensionBudget() {
            String thirty = IntStream.range(0, 30).mapToObj(Integer::toString)
                    .collect(Collectors.joining(",", "[", "]"));
            String expression = thirty + ".map(a, " + thirty + ".map(b, " + thirty + ".map(c, c)))";
            assertThatThrownBy(() -> eval(expression))
                    .isInstanceOf(ExpressionException.class)
                    .hasMessageContaining("budget");

            CelExpressionEngine tight = new CelExpressionEngine(new CelExpressionEngine.Limits(1 << 20, 5, 4096));
            assertThat(tight.resolve(TextNode.valueOf("${[1, 2].map(x, x)}"), ctx).size()).isEqualTo(2);
            assertThatThrownBy(() -> tight.test("[1, 2, 3].all(x, x > 0) && [1, 2, 3].all(x, x > 0)", ctx))
                    .isInstanceOf(ExpressionException.class)
                    .hasMessageContaining("budget");
        }

        @Test
        @DisplayName("a result above the size limit is an error")
        void resultSize() {
            CelExpressionEngine small = new CelExpressionEngine(new CelExpressionEngine.Limits(20, 10_000, 4096));
            assertThat(small.resolve(TextNode.valueOf("${input.items}"), ctx).size()).isEqualTo(3);
            assertThatThrownBy(() -> small.resolve(TextNode.valueOf("${input.nested.a.b ? 'abcdefghij' + "
                            + "'abcdefghij' : ''}"), ctx))
                    .isInstanceOf(ExpressionException.class)
                    .hasMessageStartingWith("result of expression 'input.nested.a.b ? ")
                    .hasMessageEndingWith("is 22 bytes, above the limit of 20");
        }

        @Test
        @DisplayName("an expression above the length limit does not run")
        void expressionLength() {
            CelExpressionEngine shortOnes = new CelExpressionEngine(new CelExpressionEngine.Limits(1 << 20, 100, 10));
            assertThat(shortOnes.test("1 < 2", ctx)).isTrue();
            assertThatThrownBy(() -> shortOnes.test("1 < 2 && 2 < 3", ctx))
                    .isInstanceOf(ExpressionException.class)
                    .hasMessageContaining("above the limit of 10");
        }

        @Test
        @DisplayName("limits must be positive")
        void validation() {
            assertThatThrownBy(() -> new CelExpressionEngine.Limits(0, 1, 1))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    @DisplayName("threads")
    class Threads {

        @Test
        @DisplayName("one engine serves many threads with the same results")
        void concurrent() throws Exception {
            JsonNode template = json("{'id': '${uuid()}', 'n': '${input.n * 2}', 'at': '${now()}'}");
            JsonNode expected = engine.resolve(template, ctx);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<JsonNode>> results = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    results.add(pool.submit(() -> engine.resolve(template, context("seed-1"))));
                }
                for (Future<JsonNode> result : results) {
                    assertThat(result.get()).isEqualTo(expected);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
