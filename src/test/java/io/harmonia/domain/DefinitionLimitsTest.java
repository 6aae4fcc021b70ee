package io.harmonia.domain;

import static io.harmonia.domain.TestDefinitions.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.domain.definition.DefinitionLimits;
import io.harmonia.domain.definition.DefinitionValidator;
import io.harmonia.domain.definition.Problem;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Definition size and task count limits, and what is kept as written. */
class DefinitionLimitsTest {

    private static final DefinitionValidator SMALL = new DefinitionValidator(TestDefinitions.CATALOG,
            TestDefinitions.CEL, schema -> List.of(), new DefinitionLimits(3, 400));

    private static ObjectNode chain(int tasks) {
        ObjectNode wf = JsonNodeFactory.instance.objectNode().put("name", "chain");
        ArrayNode list = wf.putArray("tasks");
        for (int i = 0; i < tasks; i++) {
            ObjectNode t = list.addObject().put("id", "t" + i).put("component", "core").put("action", "echo");
            t.putObject("input").put("n", "${input.n}");
            if (i > 0) {
                t.putArray("depends_on").add("t" + (i - 1));
            }
        }
        return wf;
    }

    @Test
    void moreTasksThanTheLimitIsOneProblemNamingTheLimit() {
        List<Problem> problems = SMALL.validate(chain(4)).problems();
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.pointer()).isEqualTo("/tasks");
            assertThat(p.reason()).contains("at most 3 tasks", "harmonia.definitions.max-tasks", "found 4");
        });
        assertThat(SMALL.validate(chain(3)).problems()).isEmpty();
    }

    @Test
    void aDefinitionLargerThanTheLimitIsRefusedNamingItsSize() {
        ObjectNode big = chain(1);
        big.put("description", "x".repeat(400));
        List<Problem> problems = SMALL.validate(big).problems();
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.pointer()).isEmpty();
            assertThat(p.reason()).contains("at most 400 bytes", "harmonia.definitions.max-definition-bytes");
        });
        // a stored definition is read again whatever the limits are now
        assertThat(SMALL.reread(big).problems()).isEmpty();
    }

    @Test
    void aChainOf5000TasksFitsTheDefaultLimits() {
        DefinitionValidator.Result r = TestDefinitions.VALIDATOR.validate(chain(5_000));
        assertThat(r.problems()).isEmpty();
        assertThat(r.written().toString().length()).isLessThan(DefinitionLimits.DEFAULTS.maxDefinitionBytes());
    }

    @Test
    void theBodyIsStoredAsWrittenLessTheAssignedFields() {
        DefinitionValidator.Result r = TestDefinitions.VALIDATOR.validate(json("""
                { 'workflow_id': 'x', 'version': 4, 'created_at': 'then', 'name': 'w',
                  'tasks': { 'b': { 'component': 'core', 'action': 'echo', 'timeout': 2.5, 'retry': 1,
                                    'output': { 'n': 'a number' } },
                             'a': { 'component': 'core', 'action': 'echo', 'depends_on': ['b'] } } }"""));
        assertThat(r.problems()).isEmpty();
        assertThat(r.written().toString()).isEqualTo(json("""
                { 'name': 'w',
                  'tasks': { 'b': { 'component': 'core', 'action': 'echo', 'timeout': 2.5, 'retry': 1,
                                    'output': { 'n': 'a number' } },
                             'a': { 'component': 'core', 'action': 'echo', 'depends_on': ['b'] } } }""").toString());
        assertThat(r.definition().tasks().get(0).timeoutMs()).isEqualTo(2_500L);
    }

    @Test
    void aVersionLabelAndExpressionsInATaskOutputAreRefused() {
        List<Problem> problems = TestDefinitions.VALIDATOR.validate(json("""
                { 'name': 'w', 'version': '1.0.0',
                  'tasks': [ { 'id': 'a', 'component': 'core', 'action': 'echo',
                               'output': { 'n': '${input.n}' } } ] }""")).problems();
        assertThat(problems).extracting(Problem::pointer).containsExactlyInAnyOrder("/version", "/tasks/0/output");
        assertThat(problems.get(0).reason()).contains("\"1.0.0\"", "metadata");
    }
}
