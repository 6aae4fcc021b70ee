package io.harmonia.messaging;

import io.harmonia.application.ExecutionService;
import io.harmonia.domain.execution.ExecutionNotFound;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Applies task results from external workers. Results are matched by execution, task, run and attempt: a late,
 * unknown or duplicate result changes nothing and is counted. A record that is not a task result is logged with its
 * offset, counted and sent to the dead-letter topic; the consumer goes on.
 */
@ApplicationScoped
public class TaskResultsConsumer {
    private static final Logger LOG = Logger.getLogger(TaskResultsConsumer.class);

    private final ExecutionService executions;
    private final MeterRegistry metrics;

    public TaskResultsConsumer(ExecutionService executions, MeterRegistry metrics) {
        this.executions = executions;
        this.metrics = metrics;
    }

    @Incoming(Topics.TASK_RESULTS_CHANNEL)
    public Uni<Void> consume(Message<String> message) {
        TaskResultMessage result;
        try {
            result = TaskResultMessage.parse(message.getPayload());
        } catch (TaskResultMessage.Malformed e) {
            LOG.warnf("skipping a malformed task result at %s: %s (sent to the dead-letter topic)",
                    where(message), e.getMessage());
            count("malformed");
            return Uni.createFrom().completionStage(message.nack(e));
        }
        // recorded durably: during a database outage the result waits (and the consumer with it) until Postgres is
        // back, instead of going to the dead-letter topic and leaving its execution behind
        return executions.recordTaskResult(result.executionId(),
                        result.command(ThreadLocalRandom.current().nextDouble()))
                .onFailure(err -> !(err instanceof ExecutionNotFound))
                .retry().withBackOff(Duration.ofMillis(100), Duration.ofSeconds(5)).atMost(10)
                .map(applied -> applied ? "applied" : "ignored")
                .onFailure(ExecutionNotFound.class).recoverWithItem("unknown")
                .chain(outcome -> {
                    count(outcome);
                    if (!"applied".equals(outcome)) {
                        LOG.debugf("%s task result for execution %s task %s attempt %d at %s", outcome,
                                result.executionId(), result.taskId(), result.attempt(), where(message));
                    }
                    return Uni.createFrom().completionStage(message.ack());
                })
                .onFailure().recoverWithUni(err -> {
                    LOG.errorf("could not apply the task result at %s: %s (sent to the dead-letter topic)",
                            where(message), err.getMessage());
                    count("failed");
                    return Uni.createFrom().completionStage(message.nack(err));
                });
    }

    private void count(String outcome) {
        metrics.counter("harmonia.worker.results", "outcome", outcome).increment();
    }

    private static String where(Message<String> message) {
        return message.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(m -> m.getTopic() + "-" + m.getPartition() + "@" + m.getOffset()).orElse("an unknown offset");
    }
}
