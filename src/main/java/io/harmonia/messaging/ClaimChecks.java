package io.harmonia.messaging;

import io.harmonia.eventstore.RecordedEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.UnsupportedForMessageFormatException;
import org.jboss.logging.Logger;

/**
 * Events published as reference records (claim checks) instead of as they are: why, how they are counted
 * ({@code harmonia_relay_claim_checks_total{reason}}, an alert metric) and logged (WARN, once per event, with its ids).
 * No event is skipped: the reference record carries the event's id, type and sequence and names the API address
 * that serves the event ({@code dataref}).
 */
@ApplicationScoped
public class ClaimChecks {
    private static final Logger LOG = Logger.getLogger(ClaimChecks.class);

    /** The record would exceed {@code harmonia.kafka.relay.max-record-bytes}. */
    public static final String TOO_LARGE = "too_large";
    /** Kafka refused the record for what it is (larger than the broker accepts, invalid, not serializable). */
    public static final String REFUSED = "refused";
    /** The record could not be built from the stored event. */
    public static final String ERROR = "error";

    private final MeterRegistry metrics;

    public ClaimChecks(MeterRegistry metrics) {
        this.metrics = metrics;
        for (String reason : new String[] {TOO_LARGE, REFUSED, ERROR}) {
            counter(reason); // present (at 0) before the first one, so that alerts can be written against it
        }
    }

    /**
     * Whether Kafka refused this one record for what it is, so that sending it again cannot succeed: too large for
     * the producer or the broker, invalid, not serializable. Errors that concern the connection, the topic or the
     * authorization are not: every record would get them, and the relay retries.
     */
    static boolean refusesThisRecord(Throwable err) {
        return err instanceof RecordTooLargeException || err instanceof RecordBatchTooLargeException
                || err instanceof InvalidRecordException || err instanceof SerializationException
                || err instanceof UnsupportedForMessageFormatException;
    }

    /** Counts and logs a reference record Kafka has acknowledged. */
    void published(RecordedEvent e, String reason, ProducerRecord<String, byte[]> reference) {
        counter(reason).increment();
        LOG.warnf("event %s/%d (%s, global position %d, %d bytes stored) was published to Kafka as a reference"
                + " record (reason: %s); its data is served at %s", e.streamId(), e.streamVersion(), e.type(),
                e.globalPosition(), e.payload().length(), reason, CloudEventRecords.href(e));
    }

    private Counter counter(String reason) {
        return Counter.builder("harmonia.relay.claim.checks").tag("reason", reason)
                .description("events published to Kafka as reference records (claim checks) instead of as they are")
                .register(metrics);
    }
}
