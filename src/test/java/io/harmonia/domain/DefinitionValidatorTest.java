package io.harmonia.domain;

import static io.harmonia.domain.TestDefinitions.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.harmonia.domain.definition.DefinitionValidator;
import io.harmonia.domain.definition.Problem;
import io.harmonia.domain.definition.RetryPolicy;
import io.harmonia.domain.definition.WorkflowDefinition;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DefinitionValidatorTest {

    private static List<Problem> problems(String body) {
        return TestDefinitions.VALIDATOR.validate(json(body)).problems();
    }

    @Test
    void theSeedExampleIsValidWithSecondsTimeoutAndAPolicy() {
        DefinitionValidator.Result r = TestDefinitions.VALIDATOR.validate(json("""
                { 'name': 'example_workflow', 'description': 'Example workflow',
                  'input':  { 'type': 'object', 'required': ['n'], 'properties': { 'n': { 'type': 'integer' } } },
                  'output': { 'result': '${tasks.task2.output.result}' },
                  'tasks': [
                    { 'id': 'task1', 'component': 'core', 'action': 'echo', 'input': { 'value': '${input.n}' } },
                    { 'id': 'task2', 'component': 'core', 'action': 'transform',
                      'input': { 'result': '${tasks.task1.output.value * 2}' },
                      'depends_on': ['task1'], 'condition': 'input.n > 0',
                      'timeout': 30, 'retry': { 'max_attempts': 3, 'initial_delay_ms': 200, 'backoff_factor': 2 } } ] }"""));
        assertThat(r.problems()).isEmpty();
        WorkflowDefinition wf = r.definition();
        assertThat(wf.tasks().get(1).timeoutMs()).isEqualTo(30_000L);
        assertThat(wf.tasks().get(1).retry().maxAttempts()).isEqualTo(3);
        assertThat(wf.tasks().get(1).retry().initialDelayMs()).isEqualTo(200);
    }

    @Test
    void aNumberRetryMeansThatManyRetriesWithTheDefaultBackoff() {
        WorkflowDefinition wf = TestDefinitions.workflow("""
                {'name': 'w', 'tasks': [{'id': 'a', 'component': 'core', 'action': 'echo', 'retry': 2, 'timeout_ms': 1500}]}""");
        assertThat(wf.tasks().get(0).retry()).isEqualTo(RetryPolicy.ofRetries(2));
        assertThat(wf.tasks().get(0).retry().maxAttempts()).isEqualTo(3);
        assertThat(wf.tasks().get(0).timeoutMs()).isEqualTo(1500L);
    }

    @Test
    void duplicateAndMissingIdsAndUnknownDependenciesAreAllReportedAtOnce() {
        List<Problem> p = problems("""
                {'name': 'w', 'tasks': [
                  {'id': 'a', 'component': 'core', 'action': 'echo'},
                  {'id': 'a', 'component': 'core', 'action': 'echo'},
                  {'component': 'core', 'action': 'echo'},
                  {'id': 'c', 'component': 'core', 'action': 'echo', 'depends_on': ['nope']}]}""");
        assertThat(p).extracting(Problem::pointer)
                .containsExactlyInAnyOrder("/tasks/1/id", "/tasks/2/id", "/tasks/3/depends_on/0");
        assertThat(p).anySatisfy(x -> assertThat(x.reason()).contains("duplicate task id 'a'"));
        assertThat(p).anySatisfy(x -> assertThat(x.reason()).contains("unknown task 'nope'"));
    }

    @Test
    void aCycleIsNamed() {
        List<Problem> p = problems("""
                {'name': 'w', 'tasks': [
                  {'id': 'a', 'component': 'core', 'action': 'echo', 'depends_on': ['c']},
                  {'id': 'b', 'component': 'core', 'action': 'echo', 'depends_on': ['a']},
                  {'id': 'c', 'component': 'core', 'action': 'echo', 'depends_on': ['b']}]}""");
        assertThat(p).singleElement().satisfies(x -> {
            assertThat(x.reason()).contains("dependency cycle: a -> c -> b -> a");
            assertThat(x.pointer()).isEqualTo("/tasks/0/depends_on");
        });
    }

    @Test
    void unknownComponentsAndActionsAreReportedWithWhatExists() {
        List<Problem> p = problems("""
                {'name': 'w', 'tasks': [
                  {'id': 'a', 'component': 'ergon', 'action': 'run'},
                  {'id': 'b', 'component': 'core', 'action': 'explode'}]}""");
        assertThat(p).extracting(Problem::pointer).containsExactly("/tasks/0/component", "/tasks/1/action");
        assertThat(p.get(0).reason()).contains("unknown component 'ergon'").contains("core");
        assertThat(p.get(1).reason()).contains("has no action 'explode'").contains("echo");
    }

    @Test
    void expressionsThatDoNotCompileArePointedAt() {
        List<Problem> p = problems("""
                {'name': 'w', 'output': {'r': '${tasks.a.output +}'}, 'tasks': [
                  {'id': 'a', 'component': 'core', 'action': 'echo', 'condition': 'input.n >',
                   'input': {'list': ['ok', '${1 + }']}}]}""");
        assertThat(p).extracting(Problem::pointer)
                .containsExactlyInAnyOrder("/output/r", "/tasks/0/condition", "/tasks/0/input/list/1");
    }

    @Test
    void malformedRetryAndTimeoutAreReported() {
        List<Problem> p = problems("""
                {'name': 'w', 'timeout': -1, 'tasks': [
                  {'id': 'a', 'component': 'core', 'action': 'echo', 'timeout': 'soon',
                   'retry': {'max_attempts': 0, 'backoff_factor': 0.5, 'jitter': 'yes', 'retriable_errors': 'ALL',
                             'colour': 'red'}},
                  {'id': 'b', 'component': 'core', 'action': 'echo', 'retry': -3, 'timeout': 5, 'timeout_ms': 5000}]}""");
        assertThat(p).extracting(Problem::pointer).containsExactlyInAnyOrder("/timeout", "/tasks/0/timeout",
                "/tasks/0/retry/max_attempts", "/tasks/0/retry/backoff_factor", "/tasks/0/retry/jitter",
                "/tasks/0/retry/retriable_errors", "/tasks/0/retry/colour", "/tasks/1/retry", "/tasks/1/timeout_ms");
    }

    @Test
    void anInvalidInputSchemaIsReportedUnderInput() {
        DefinitionValidator v = new DefinitionValidator(TestDefinitions.CATALOG, TestDefinitions.CEL,
                schema -> List.of(new Problem("/properties/n/type", "bad type")));
        List<Problem> p = v.validate(json("""
                {'name': 'w', 'input': {'type': 'object'}, 'tasks': [{'id': 'a', 'component': 'core', 'action': 'echo'}]}"""))
                .problems();
        assertThat(p).containsExactly(new Problem("/input/properties/n/type", "invalid input schema: bad type"));
        assertThat(problems("{'name': 'w', 'input': 5, 'tasks': [{'id': 'a', 'component': 'core', 'action': 'echo'}]}"))
                .extracting(Problem::pointer).containsExactly("/input");
    }

    @Test
    void missingNameAndTasksAndNonObjectBodies() {
        assertThat(problems("{}")).extracting(Problem::pointer).containsExactlyInAnyOrder("/name", "/tasks");
        assertThat(problems("{'name': 'w', 'tasks': []}")).extracting(Problem::pointer).containsExactly("/tasks");
        assertThat(problems("[1]")).extracting(Problem::pointer).containsExactly("");
    }

    @Test
    void tasksMayAlsoBeAMapKeyedById() {
        DefinitionValidator.Result r = TestDefinitions.VALIDATOR.validate(json("""
                {'name': 'w', 'tasks': {'a': {'component': 'core', 'action': 'echo'},
                                        'b': {'component': 'core', 'action': 'echo', 'depends_on': ['a']}}}"""));
        assertThat(r.problems()).isEmpty();
        assertThat(r.definition().tasks()).extracting(t -> t.id()).containsExactly("a", "b");
        assertThat(Set.copyOf(r.definition().tasks().get(1).dependsOn())).containsExactly("a");
    }
}
