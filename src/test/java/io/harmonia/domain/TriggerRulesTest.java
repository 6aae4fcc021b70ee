package io.harmonia.domain;

import static io.harmonia.domain.TestDefinitions.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.domain.trigger.TriggerCommand;
import io.harmonia.domain.trigger.TriggerEvent;
import io.harmonia.domain.trigger.TriggerEvent.TriggerCreated;
import io.harmonia.domain.trigger.TriggerEvent.TriggerDeleted;
import io.harmonia.domain.trigger.TriggerEvent.TriggerPaused;
import io.harmonia.domain.trigger.TriggerEvent.TriggerResumed;
import io.harmonia.domain.trigger.TriggerEvent.TriggerUpdated;
import io.harmonia.domain.trigger.TriggerFiring;
import io.harmonia.domain.trigger.TriggerNotFound;
import io.harmonia.domain.trigger.TriggerRules;
import io.harmonia.domain.trigger.TriggerSpec;
import io.harmonia.domain.trigger.TriggerSpecReader;
import io.harmonia.expression.CelExpressionEngine;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Trigger lifecycle, definitions and fires as given/when/then specifications. */
class TriggerRulesTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private static final Instant T1 = T0.plusSeconds(1);
    private static final String ID = "6f1c1b36-6a1f-4d3e-9a57-2f1f2a7c0001";
    private static final String WF = "0b9f7c1e-2d2a-4c4e-8f3a-1a2b3c4d5e6f";
    private static final JsonNode SPEC = json("{'name': 'orders'}");
    private static final CelExpressionEngine CEL = new CelExpressionEngine(CelExpressionEngine.Limits.defaults());
    private static final TriggerSpecReader READER = new TriggerSpecReader(CEL, 200);

    private static List<TriggerEvent> given(TriggerEvent... history) {
        return List.of(history);
    }

    private static List<TriggerEvent> when(List<TriggerEvent> history, TriggerCommand command) {
        return TriggerRules.decide(command, TriggerRules.replay(history));
    }

    @Nested
    @DisplayName("lifecycle")
    class Lifecycle {
        @Test
        void aNewTriggerIsCreatedActive() {
            List<TriggerEvent> events = when(given(), new TriggerCommand.Create(ID, SPEC, T0));
            assertThat(events).containsExactly(new TriggerCreated(ID, SPEC, T0));
            assertThat(TriggerRules.replay(events).paused()).isFalse();
            assertThat(TriggerRules.replay(events).version()).isEqualTo(1);
        }

        @Test
        void pausingAnActiveTriggerPausesIt_andPausingAgainChangesNothing() {
            var created = new TriggerCreated(ID, SPEC, T0);
            assertThat(when(given(created), new TriggerCommand.Pause(T1))).containsExactly(new TriggerPaused(ID, T1));
            assertThat(when(given(created, new TriggerPaused(ID, T1)), new TriggerCommand.Pause(T1))).isEmpty();
        }

        @Test
        void resumingAPausedTriggerResumesIt_andResumingAnActiveOneChangesNothing() {
            var created = new TriggerCreated(ID, SPEC, T0);
            assertThat(when(given(created, new TriggerPaused(ID, T0)), new TriggerCommand.Resume(T1)))
                    .containsExactly(new TriggerResumed(ID, T1));
            assertThat(when(given(created), new TriggerCommand.Resume(T1))).isEmpty();
        }

        @Test
        void anUpdateReplacesTheSpecAndKeepsThePause() {
            JsonNode next = json("{'name': 'orders v2'}");
            var history = given(new TriggerCreated(ID, SPEC, T0), new TriggerPaused(ID, T0));
            List<TriggerEvent> events = when(history, new TriggerCommand.Update(next, T1));
            assertThat(events).containsExactly(new TriggerUpdated(ID, next, T1));
            var after = TriggerRules.evolve(TriggerRules.replay(history), events.get(0));
            assertThat(after.spec()).isEqualTo(next);
            assertThat(after.paused()).isTrue();
            assertThat(after.version()).isEqualTo(3);
        }

        @Test
        void aDeletedTriggerTakesNoFurtherCommand() {
            var history = given(new TriggerCreated(ID, SPEC, T0), new TriggerDeleted(ID, T1));
            assertThat(TriggerRules.replay(history).exists()).isFalse();
            assertThatThrownBy(() -> when(history, new TriggerCommand.Resume(T1)))
                    .isInstanceOf(TriggerNotFound.class).hasMessageContaining(ID);
            assertThatThrownBy(() -> when(history, new TriggerCommand.Delete(T1)))
                    .isInstanceOf(TriggerNotFound.class);
        }
    }

    @Nested
    @DisplayName("definitions")
    class Definitions {
        @Test
        void aKafkaTriggerReadsWithItsDefaults() {
            var read = READER.read(json("{'name': 'orders', 'workflow_id': '" + WF + "',"
                    + " 'source': {'kafka': {'topic': 'orders'}}}"));
            assertThat(read.problems()).isEmpty();
            assertThat(read.spec().toJson()).isEqualTo(json("{'name': 'orders', 'workflow_id': '" + WF + "',"
                    + " 'version': null, 'source': {'kafka': {'topic': 'orders', 'group': null, 'format': 'auto'}},"
                    + " 'filter': null, 'input': null, 'idempotency_key': null, 'action': 'start'}"));
            assertThat(((TriggerSpec.KafkaSource) read.spec().source()).groupOf(ID))
                    .isEqualTo("harmonia-trigger-" + ID);
        }

        @Test
        void theSecretIsTakenOutOfTheSpec() {
            var read = READER.read(json("{'name': 'cb', 'workflow_id': '" + WF + "', 'source': {'http':"
                    + " {'signature': {'secret': '0123456789abcdef-secret'}}}}"));
            assertThat(read.problems()).isEmpty();
            assertThat(read.secret()).isEqualTo("0123456789abcdef-secret");
            assertThat(read.spec().toJson().toString()).doesNotContain("0123456789abcdef-secret")
                    .contains("X-Harmonia-Signature").contains("hmac-sha256");
        }

        @Test
        void everyProblemIsReportedAtOnceWithItsPointer() {
            var read = READER.read(json("{'name': '', 'workflow_id': 'nope', 'version': 0, 'extra': 1,"
                    + " 'source': {'kafka': {'topic': 'bad topic!', 'format': 'xml'}},"
                    + " 'filter': 'input.x > 1', 'input': {'a': '${event.value.'},"
                    + " 'action': {'signal': {'name': 'paid'}}}"));
            assertThat(read.problems()).extracting(p -> p.pointer()).containsExactlyInAnyOrder("/extra", "/name",
                    "/workflow_id", "/version", "/source/kafka/topic", "/source/kafka/format", "/filter", "/input/a",
                    "/action/signal/execution_id");
        }

        @Test
        void aMisplacedSecretIsNeverEchoed() {
            var read = READER.read(json("{'name': 'x', 'workflow_id': '" + WF + "', 'source': {'http':"
                    + " {'signature': {'secret': 'short'}}, 'kafka': {'topic': 'super-secret-value'}}}"));
            assertThat(read.problems().toString()).doesNotContain("super-secret-value").doesNotContain("short'");
        }
    }

    @Nested
    @DisplayName("fires")
    class Fires {
        private TriggerSpec spec(String extra) {
            var read = READER.read(json("{'name': 'orders', 'workflow_id': '" + WF + "',"
                    + " 'source': {'kafka': {'topic': 'orders'}}" + extra + "}"));
            assertThat(read.problems()).isEmpty();
            return read.spec();
        }

        private final JsonNode event = json("{'key': 'k-1', 'value': {'order': 7, 'status': 'paid'},"
                + " 'headers': {}, 'topic': 'orders', 'partition': 0, 'offset': 12}");

        @Test
        void whenTheFilterIsFalse_theEventIsIgnored() {
            var fire = TriggerFiring.plan(ID, spec(", 'filter': 'event.value.status == \\\"new\\\"'"), CEL, event,
                    "k-1", event.get("value"), T0);
            assertThat(fire).isInstanceOf(TriggerFiring.Ignored.class);
        }

        @Test
        void whenTheFilterIsTrue_theMappedInputStartsUnderTheKey() {
            var fire = TriggerFiring.plan(ID, spec(", 'filter': 'event.value.status == \\\"paid\\\"',"
                            + " 'input': {'order_id': '${event.value.order}'}, 'idempotency_key': 'event.value.order'"),
                    CEL, event, "k-1", event.get("value"), T0);
            assertThat(fire).isEqualTo(new TriggerFiring.Start("7", json("{'order_id': 7}")));
        }

        @Test
        void withoutMapping_theValueIsTheInputAndTheDefaultKeyIsUsed() {
            var fire = TriggerFiring.plan(ID, spec(""), CEL, event, "k-1", event.get("value"), T0);
            assertThat(fire).isEqualTo(new TriggerFiring.Start("k-1", event.get("value")));
        }

        @Test
        void aSignalActionCorrelatesTheExecution() {
            var fire = TriggerFiring.plan(ID, spec(", 'action': {'signal': {'execution_id': 'event.value.exec',"
                    + " 'name': 'paid', 'payload': {'amount': '${event.value.order * 10}'}}}"), CEL,
                    json("{'value': {'exec': 'e-1', 'order': 7}}"), "k", null, T0);
            assertThat(fire).isEqualTo(new TriggerFiring.Signal("k", "e-1", "paid", json("{'amount': 70}")));
        }

        @Test
        void aMappingThatFails_saysWhich() {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> TriggerFiring.plan(ID,
                            spec(", 'input': {'x': '${event.value.missing.deeper}'}"), CEL, event, "k",
                            null, T0))
                    .isInstanceOf(TriggerFiring.MappingFailed.class).hasMessageContaining(ID);
        }
    }
}
