package io.harmonia.domain;

import static io.harmonia.domain.TestDefinitions.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.harmonia.domain.definition.Problem;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code output} (the completing task's output) is bound only in a task's {@code state} mapping: anywhere else a
 * definition that reads it is refused at creation, with a pointer, instead of failing at run time.
 */
class OutputScopeValidationTest {

    private static List<Problem> problems(String body) {
        return TestDefinitions.VALIDATOR.validate(json(body)).problems();
    }

    @Test
    void aStateMappingMayReadOutputStateTasksAndInput() {
        assertThat(problems("""
                {'name': 'w', 'tasks': [
                  {'id': 'check', 'component': 'core', 'action': 'echo',
                   'state': {'approval_status': '${output.status}', 'count': '${state.count + 1}',
                             'note': 'by ${input.who}: ${output.reason}'}},
                  {'id': 'next', 'component': 'core', 'action': 'echo', 'depends_on': ['check'],
                   'condition': 'state.approval_status == \\'APPROVED\\'',
                   'input': {'s': '${tasks.check.state.approval_status}', 'o': '${tasks.check.output}'}}],
                 'output': {'final': '${state}'}}""")).isEmpty();
    }

    @Test
    void outputInATaskInputAConditionOrTheWorkflowOutputIsRefusedWithItsPointer() {
        List<Problem> p = problems("""
                {'name': 'w', 'output': {'r': {'deep': ['${output.result}']}}, 'tasks': [
                  {'id': 'a', 'component': 'core', 'action': 'echo', 'input': {'x': 'id ${output.id}'}},
                  {'id': 'b', 'component': 'core', 'action': 'echo', 'depends_on': ['a'],
                   'condition': '${output.ok == true}'}]}""");
        assertThat(p).extracting(Problem::pointer)
                .containsExactlyInAnyOrder("/output/r/deep/0", "/tasks/0/input/x", "/tasks/1/condition");
        assertThat(p).allSatisfy(x -> assertThat(x.reason()).contains("'output' is not in scope here: it is"
                + " bound only in a task's state mapping").contains("tasks.<id>.output"));
        assertThat(p).anySatisfy(x -> assertThat(x.reason()).startsWith("expression 'output.id' does not compile"));
        assertThat(p).anySatisfy(x -> assertThat(x.reason())
                .startsWith("condition '${output.ok == true}' does not compile"));
    }

    @Test
    void aComprehensionVariableNamedOutputIsNotTheUnboundOne() {
        assertThat(problems("""
                {'name': 'w', 'tasks': [
                  {'id': 'a', 'component': 'core', 'action': 'echo',
                   'input': {'doubled': '${[1, 2].map(output, output * 2)}'}}]}""")).isEmpty();
    }

    @Test
    void aTriggersEventIsNotInScopeAnywhereInAWorkflowButSignalsAre() {
        List<Problem> p = problems("""
                {'name': 'w', 'tasks': [
                  {'id': 'a', 'component': 'core', 'action': 'echo', 'input': {'x': '${event.value}'},
                   'state': {'k': '${event.key}'}},
                  {'id': 'b', 'component': 'core', 'action': 'echo', 'depends_on': ['a'],
                   'condition': 'event.key == 1', 'input': {'approved': '${signals.approval.approved}'}}]}""");
        assertThat(p).extracting(Problem::pointer)
                .containsExactlyInAnyOrder("/tasks/0/input/x", "/tasks/0/state/k", "/tasks/1/condition");
        assertThat(p).allSatisfy(x -> assertThat(x.reason()).contains("'event' is not in scope here: it is bound"
                + " only in a trigger's filter"));
    }
}
