package io.harmonia.domain;

import static io.harmonia.domain.TestDefinitions.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.harmonia.domain.execution.ExecutionCommand;
import io.harmonia.domain.execution.ExecutionCommand.CompleteTask;
import io.harmonia.domain.execution.ExecutionDecider;
import io.harmonia.domain.execution.ExecutionEvent;
import io.harmonia.domain.execution.ExecutionEvent.CheckpointCreated;
import io.harmonia.domain.execution.ExecutionEvolver;
import io.harmonia.domain.execution.ExecutionState;
import io.harmonia.domain.execution.Limits;
import io.harmonia.domain.execution.TaskStatus;
import io.harmonia.eventstore.EventCodec;
import io.harmonia.messaging.CloudEventRecords;
import io.harmonia.stream.StreamTypes;
import io.harmonia.webhook.WebhookCloudEvents;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A fan-out in the stored form: its event names, and a checkpoint taken mid-fan-out read back as it was. */
class ForEachEventsTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void forEachExpandedIsTaskFannedOutOnKafkaTheStreamsAndWebhooks() {
        assertThat(StreamTypes.of("ForEachExpanded")).isEqualTo("task_fanned_out");
        assertThat(CloudEventRecords.type("ForEachExpanded")).isEqualTo("io.harmonia.task.fanned_out");
        assertThat(WebhookCloudEvents.type("task_fanned_out")).isEqualTo("io.harmonia.task.fanned_out");
    }

    @Test
    void aCheckpointTakenMidFanOutReadsBackToTheSameStateAndGoesOnTheSame() {
        var wf = TestDefinitions.workflow("""
                {'name': 'cp', 'tasks': [
                  {'id': 'x', 'component': 'core', 'action': 'echo', 'for_each': '${input.items}', 'max_parallel': 2,
                   'input': {'v': '${item}'}}]}""");
        ExecutionDecider decider = new ExecutionDecider(TestDefinitions.CEL, Limits.defaults());
        ExecutionState s = ExecutionEvolver.fold(ExecutionState.initial(), decider.decide(
                new ExecutionCommand.Start("00000000-0000-0000-0000-0000000000c1", json("{'items': [1, 2, 3, 4]}"), T0),
                ExecutionState.initial(), wf));
        s = ExecutionEvolver.fold(s, decider.decide(new CompleteTask("x[1]", 1, 1, json("{'v': 2}"), T0), s, wf));
        List<ExecutionEvent> cp = decider.decide(new ExecutionCommand.Checkpoint(T0), s, wf);
        CheckpointCreated created = (CheckpointCreated) cp.get(0);
        String[] text = EventCodec.encodeToText(created);
        CheckpointCreated back = (CheckpointCreated) EventCodec.decode(text[0], Integer.parseInt(text[1]), text[2]);

        ExecutionState loaded = ExecutionEvolver.evolve(back.snapshot().toState(), back);
        ExecutionState folded = ExecutionEvolver.fold(s, cp);
        assertThat(loaded.fanOuts()).isEqualTo(folded.fanOuts());
        assertThat(loaded.task("x").status()).isEqualTo(TaskStatus.FANNED_OUT);
        assertThat(loaded.running()).isEqualTo(folded.running()).isEqualTo(2);
        assertThat(loaded.table().ready(10)).isEmpty();
        // and it goes on the same: the next result starts the same item
        CompleteTask next = new CompleteTask("x[0]", 1, 1, json("{'v': 1}"), T0.plusMillis(1));
        assertThat(decider.decide(next, loaded, wf)).isEqualTo(decider.decide(next, folded, wf));
    }
}
