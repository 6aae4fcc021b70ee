package io.harmonia.application;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.domain.definition.InvalidRequest;
import io.harmonia.domain.execution.CommandRejected;
import io.harmonia.domain.execution.ExecutionNotFound;
import io.harmonia.domain.expression.ExpressionEngine;
import io.harmonia.domain.trigger.TriggerFiring;
import io.harmonia.domain.trigger.TriggerFiring.Fire;
import io.harmonia.domain.trigger.TriggerSpec;
import io.harmonia.domain.workflow.WorkflowNotFound;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Fires a trigger for one event (a Kafka record or an HTTP call): plans it ({@link TriggerFiring}: filter, key,
 * mapping), then starts an execution whose id is chosen by the key ({@link ChosenIds}
 * {@code trigger:<id>:<key>} at the trigger's creation time, so the same key always names the same execution and a
 * second start finds it) or delivers a signal whose id is that name (a second delivery records nothing). The Uni
 * completes when the start or the delivery is durable.
 */
@ApplicationScoped
public class TriggerFires {

    /** What a fire did. {@code executionId} null when ignored; {@code again} when the key had fired before. */
    public record Outcome(String outcome, String executionId, boolean again, JsonNode execution,
            SignalService.Delivered delivered) {
        public static final String STARTED = "started";
        public static final String SIGNALED = "signaled";
        public static final String IGNORED = "ignored";

        public boolean fired() {
            return !IGNORED.equals(outcome);
        }
    }

    /** A trigger as fires need it. */
    public record Firing(String triggerId, TriggerSpec spec, Instant createdAt) {}

    /** Reads of an execution that another fire of the same key is still starting. */
    private static final int STARTING_RETRIES = 20;

    private final ExecutionService executions;
    private final SignalService signals;
    private final ExpressionEngine expressions;
    private final Clock clock;

    public TriggerFires(ExecutionService executions, SignalService signals, ExpressionEngine expressions,
            Clock clock) {
        this.executions = executions;
        this.signals = signals;
        this.expressions = expressions;
        this.clock = clock;
    }

    /**
     * The pure part of a fire (may throw {@link TriggerFiring.MappingFailed}); {@code defaultKey} null: a new key.
     */
    public Fire plan(Firing t, JsonNode event, String defaultKey, JsonNode defaultInput) {
        Fire fire = TriggerFiring.plan(t.triggerId(), t.spec(), expressions, event, defaultKey, defaultInput,
                clock.instant());
        if (fire instanceof TriggerFiring.Start s && s.key() == null) {
            return new TriggerFiring.Start(UUID.randomUUID().toString(), s.input());
        }
        if (fire instanceof TriggerFiring.Signal s && s.key() == null) {
            return new TriggerFiring.Signal(UUID.randomUUID().toString(), s.executionId(), s.name(), s.payload());
        }
        return fire;
    }

    /** Carries out a planned fire; completes when it is durable. */
    public Uni<Outcome> apply(Firing t, Fire fire) {
        if (fire instanceof TriggerFiring.Start s) {
            String executionId = ChosenIds.of("trigger:" + t.triggerId() + ":" + s.key(), t.createdAt());
            return executions.startAs(executionId, t.spec().workflowId(), t.spec().version(), s.input())
                    // the same key twice at once: the second start finds the first still starting (held, not yet
                    // readable); it is read again once the first is durable
                    .onFailure(ExecutionNotFound.class).retry().withBackOff(Duration.ofMillis(20),
                            Duration.ofMillis(500)).atMost(STARTING_RETRIES)
                    .map(started -> new Outcome(Outcome.STARTED, executionId, started.replayed(), started.view(),
                            null));
        }
        if (fire instanceof TriggerFiring.Signal s) {
            return signals.send(s.executionId(), s.name(), "trigger:" + t.triggerId() + ":" + s.key(), s.payload(),
                            "trigger:" + t.triggerId())
                    .map(d -> new Outcome(Outcome.SIGNALED, s.executionId(), !d.recorded(), null, d));
        }
        return Uni.createFrom().item(new Outcome(Outcome.IGNORED, null, false, null, null));
    }

    /**
     * Whether a failure of a fire is about the event itself (it would fail the same way again, so a Kafka record is
     * skipped) rather than about the moment (Postgres down: try again).
     */
    public static boolean permanent(Throwable failure) {
        return failure instanceof TriggerFiring.MappingFailed || failure instanceof InvalidRequest
                || failure instanceof WorkflowNotFound || failure instanceof ExecutionNotFound
                || failure instanceof CommandRejected;
    }
}
