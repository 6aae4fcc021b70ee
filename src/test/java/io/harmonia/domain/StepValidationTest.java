package io.harmonia.domain;

import static io.harmonia.domain.TestDefinitions.VALIDATOR;
import static io.harmonia.domain.TestDefinitions.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.harmonia.domain.definition.DefinitionValidator;
import io.harmonia.domain.definition.Language;
import io.harmonia.domain.definition.Problem;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Given a state machine definition, when it is validated, then every problem is reported with a pointer. */
class StepValidationTest {

    static List<Problem> problems(String json) {
        return VALIDATOR.validate(json(json)).problems();
    }

    static DefinitionValidator.Result valid(String json) {
        DefinitionValidator.Result r = VALIDATOR.validate(json(json));
        assertThat(r.problems()).isEmpty();
        return r;
    }

    @Nested
    @DisplayName("a valid machine")
    class Valid {
        @Test
        void isReadAsStepsWithTheirRoutingAndSeed000Aliases() {
            var r = valid("""
                    {'name': 'm', 'max_iterations': 10, 'steps': [
                      {'id': 'a', 'type': 'http_request', 'config': {'url': 'http://x.example'},
                       'transitions': [{'to': 'b', 'condition': 'output.status == 200'}, {'to': 'a'}],
                       'on_error': [{'error_type': '*', 'to': 'b'}], 'max_iterations': 3},
                      {'id': 'b', 'type': 'echo'}]}""");
            var wf = r.definition();
            assertThat(wf.language()).isEqualTo(Language.STEPS);
            assertThat(wf.maxIterations()).isEqualTo(10);
            assertThat(wf.tasks().get(0).component()).isEqualTo("http");
            assertThat(wf.tasks().get(0).action()).isEqualTo("request");
            assertThat(wf.tasks().get(0).input()).isEqualTo(json("{'url': 'http://x.example'}"));
            assertThat(wf.tasks().get(0).routing().transitions()).hasSize(2);
            assertThat(wf.tasks().get(0).routing().maxIterations()).isEqualTo(3);
            assertThat(wf.tasks().get(1).component() + "." + wf.tasks().get(1).action()).isEqualTo("core.echo");
        }

        @Test
        void aLoopWithAConditionalWayOutNeedsNoMaxIterations() {
            valid("""
                    {'name': 'm', 'steps': [
                      {'id': 'poll', 'type': 'core.echo',
                       'transitions': [{'to': 'done', 'condition': 'output.ready == true'}, {'to': 'poll'}]},
                      {'id': 'done', 'type': 'core.echo'}]}""");
        }

        @Test
        void aLoopWithoutAWayOutIsAcceptedWhenMaxIterationsBoundsIt() {
            String loop = """
                    {'name': 'm', %s 'steps': [
                      {'id': 'a', 'type': 'core.echo', 'transitions': [{'to': 'b'}] %s},
                      {'id': 'b', 'type': 'core.echo', 'transitions': [{'to': 'a'}]}]}""";
            valid(loop.formatted("'max_iterations': 5,", ""));
            valid(loop.formatted("", ", 'max_iterations': 5"));
        }

        @Test
        void handlerStepsCountAsReachable() {
            valid("""
                    {'name': 'm', 'steps': [
                      {'id': 'a', 'type': 'core.echo'},
                      {'id': 'cleanup', 'type': 'core.echo'}],
                     'error_handlers': [{'error_type': '*', 'handler_step': 'cleanup'}]}""");
        }

        @Test
        void aMachineOf5000StepsIsCheckedWithoutRecursion() {
            String steps = IntStream.range(0, 5000).mapToObj(i -> "{'id': 's" + i + "', 'type': 'core.echo'"
                    + (i < 4999 ? ", 'transitions': [{'to': 's" + (i + 1) + "'}]" : "") + "}")
                    .collect(Collectors.joining(","));
            assertThat(VALIDATOR.validate(json("{'name': 'big', 'steps': [" + steps + "]}")).problems()).isEmpty();
            String ring = IntStream.range(0, 5000).mapToObj(i -> "{'id': 's" + i + "', 'type': 'core.echo',"
                    + " 'transitions': [{'to': 's" + ((i + 1) % 5000) + "'}]}").collect(Collectors.joining(","));
            assertThat(VALIDATOR.validate(json("{'name': 'ring', 'steps': [" + ring + "]}")).problems())
                    .extracting(Problem::pointer).containsExactly("/steps/0/transitions");
        }
    }

    @Nested
    @DisplayName("an invalid machine")
    class Invalid {
        @Test
        void unknownTargetsAndHandlersAreReportedAllAtOnce() {
            List<Problem> p = problems("""
                    {'name': 'm', 'steps': [
                      {'id': 'a', 'type': 'core.echo', 'transitions': [{'to': 'nowhere'}],
                       'on_error': [{'error_type': 'TIMEOUT', 'to': 'gone'}]},
                      {'id': 'b', 'type': 'core.nope', 'transitions': [{'to': 'a', 'condition': 'output.x ==='}]}],
                     'error_handlers': [{'error_type': 'TIMEOUT', 'handler_step': 'missing'}]}""");
            assertThat(p).extracting(Problem::pointer).contains("/steps/0/transitions/0/to",
                    "/steps/0/on_error/0/to", "/steps/1/type", "/steps/1/transitions/0/condition",
                    "/error_handlers/0/handler_step");
            assertThat(p).filteredOn(x -> x.pointer().equals("/steps/0/transitions/0/to")).extracting(Problem::reason)
                    .allMatch(r -> r.contains("unknown step 'nowhere'") && r.contains("[a, b]"));
        }

        @Test
        void tasksAndStepsTogetherAreRefused() {
            assertThat(problems("""
                    {'name': 'm', 'tasks': [{'id': 't', 'component': 'core', 'action': 'echo'}],
                     'steps': [{'id': 'a', 'type': 'core.echo'}]}""")).extracting(Problem::reason)
                    .anyMatch(r -> r.contains("found both"));
        }

        @Test
        void unreachableStepsAreNamed() {
            List<Problem> p = problems("""
                    {'name': 'm', 'steps': [
                      {'id': 'a', 'type': 'core.echo', 'transitions': [{'to': 'c'}]},
                      {'id': 'b', 'type': 'core.echo', 'transitions': [{'to': 'c'}]},
                      {'id': 'c', 'type': 'core.echo'},
                      {'id': 'd', 'type': 'core.echo'}]}""");
            assertThat(p).extracting(Problem::pointer).containsExactly("/steps/1", "/steps/3");
            assertThat(p.get(0).reason()).contains("step 'b' is unreachable", "start step 'a'");
        }

        @Test
        void aLoopWithNoWayOutAndNoMaxIterationsIsRefused() {
            List<Problem> p = problems("""
                    {'name': 'm', 'steps': [
                      {'id': 'start', 'type': 'core.echo', 'transitions': [{'to': 'a'}]},
                      {'id': 'a', 'type': 'core.echo', 'transitions': [{'to': 'b', 'condition': 'output.n > 1'},
                                                                     {'to': 'a'}]},
                      {'id': 'b', 'type': 'core.echo', 'transitions': [{'to': 'a'}],
                       'on_error': [{'error_type': '*', 'to': 'a'}]},
                      {'id': 'spin', 'type': 'core.echo', 'transitions': [{'to': 'spin'}]}],
                     'start_at': 'start',
                     'error_handlers': [{'error_type': '*', 'handler_step': 'spin'}]}""");
            assertThat(p).extracting(Problem::pointer).containsExactlyInAnyOrder("/steps/1/transitions",
                    "/steps/3/transitions");
            assertThat(p).extracting(Problem::reason).anyMatch(r -> r.contains("[a, b]") && r.contains("no way out")
                    && r.contains("max_iterations"));
        }

        @Test
        void aStepWithoutTransitionsEndsTheLoopItIsIn() {
            assertThat(problems("""
                    {'name': 'm', 'steps': [
                      {'id': 'a', 'type': 'core.echo', 'on_error': [{'error_type': '*', 'to': 'a'}]}]}""")).isEmpty();
        }

        @Test
        void seed000TypesWithoutAComponentYetSayWhen() {
            List<Problem> p = problems("""
                    {'name': 'm', 'steps': [
                      {'id': 'tell', 'type': 'notification', 'config': {}, 'transitions': [{'to': 'ask'}]},
                      {'id': 'ask', 'type': 'llm', 'config': {}}]}""");
            assertThat(p).extracting(Problem::pointer).containsExactly("/steps/0/type", "/steps/1/type");
            assertThat(p.get(0).reason()).contains("'notification'", "issue 14", "http.request");
        }

        @Test
        void stepFieldsOfADagTaskAreExplained() {
            List<Problem> p = problems("""
                    {'name': 'm', 'steps': [
                      {'id': 'a', 'component': 'core', 'action': 'echo', 'depends_on': [], 'input': {}}]}""");
            assertThat(p).extracting(Problem::pointer).contains("/steps/0/component", "/steps/0/depends_on",
                    "/steps/0/input", "/steps/0/type");
        }
    }
}
