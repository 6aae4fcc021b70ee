package io.harmonia.messaging;

import io.harmonia.application.SignalService;
import io.harmonia.domain.definition.InvalidRequest;
import io.harmonia.domain.execution.CommandRejected;
import io.harmonia.domain.execution.ExecutionNotFound;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Delivers signals from {@code harmonia.signals} (see {@link SignalMessage} for the record). Each outcome is counted
 * ({@code harmonia.signals.consumed}, tag {@code outcome}): {@code recorded}; {@code duplicate} (its id was
 * recorded already); {@code malformed} (not a signal), {@code refused} (unknown or finished execution, a name or
 * payload outside the limits) and {@code failed} (the store could not record it after retries) are logged with
 * their offset and sent to the dead-letter topic, and the consumer goes on. The offset is committed after the
 * signal is recorded (or sent to the dead-letter topic).
 */
@ApplicationScoped
public class SignalsConsumer {
    private static final Logger LOG = Logger.getLogger(SignalsConsumer.class);
    static final String SOURCE = "kafka";

    private final SignalService signals;
    private final MeterRegistry metrics;

    public SignalsConsumer(SignalService signals, MeterRegistry metrics) {
        this.signals = signals;
        this.metrics = metrics;
    }

    @Incoming(Topics.SIGNALS_CHANNEL)
    public Uni<Void> consume(Message<String> message) {
        Optional<IncomingKafkaRecordMetadata> meta = message.getMetadata(IncomingKafkaRecordMetadata.class);
        SignalMessage signal;
        try {
            Object key = meta.map(IncomingKafkaRecordMetadata::getKey).orElse(null);
            Headers headers = meta.map(IncomingKafkaRecordMetadata::getHeaders).orElse(null);
            signal = SignalMessage.parse(key == null ? null : key.toString(), headers, message.getPayload());
        } catch (SignalMessage.Malformed e) {
            return deadLetter(message, "malformed", "skipping a malformed signal at " + where(meta) + ": "
                    + e.getMessage(), e);
        }
        return signals.send(signal.executionId(), signal.name(), signal.signalId(), signal.payload(), SOURCE)
                .onFailure(SignalsConsumer::retriable)
                .retry().withBackOff(Duration.ofMillis(100), Duration.ofSeconds(5)).atMost(10)
                .chain(d -> {
                    count(d.recorded() ? "recorded" : "duplicate");
                    return Uni.createFrom().completionStage(message.ack());
                })
                .onFailure().recoverWithUni(err -> retriable(err)
                        ? deadLetter(message, "failed", "could not record the signal at " + where(meta) + ": "
                                + err.getMessage(), err)
                        : deadLetter(message, "refused", "refused the signal '" + signal.name() + "' (id "
                                + signal.signalId() + ") for execution " + signal.executionId() + " at "
                                + where(meta) + ": " + err.getMessage(), err));
    }

    /** Whether trying again may help: not for a signal the execution refuses. */
    private static boolean retriable(Throwable err) {
        return !(err instanceof ExecutionNotFound || err instanceof CommandRejected || err instanceof InvalidRequest);
    }

    private Uni<Void> deadLetter(Message<String> message, String outcome, String log, Throwable err) {
        LOG.warnf("%s (sent to the dead-letter topic)", log);
        count(outcome);
        return Uni.createFrom().completionStage(message.nack(err));
    }

    private void count(String outcome) {
        metrics.counter("harmonia.signals.consumed", "outcome", outcome).increment();
    }

    private static String where(Optional<IncomingKafkaRecordMetadata> meta) {
        return meta.map(m -> m.getTopic() + "-" + m.getPartition() + "@" + m.getOffset()).orElse("an unknown offset");
    }
}
