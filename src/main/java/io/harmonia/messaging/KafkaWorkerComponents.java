package io.harmonia.messaging;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.component.Component;
import io.harmonia.component.ComponentProvider;
import io.harmonia.component.TaskInvocation;
import io.harmonia.component.TaskResult;
import io.harmonia.config.KafkaConfig;
import io.harmonia.domain.definition.ErrorTypes;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Worker components declared in configuration ({@code harmonia.kafka.workers.<name>.actions}). A task of one is
 * published as a task request CloudEvent to {@code harmonia.tasks.<name>}; an external worker does the work and
 * answers on {@code harmonia.task-results} ({@link TaskResultsConsumer}). Timeouts and retries apply as usual.
 */
@ApplicationScoped
public class KafkaWorkerComponents implements ComponentProvider {

    private final KafkaConfig config;
    private final KafkaPublisher publisher;
    private final Clock clock;

    public KafkaWorkerComponents(KafkaConfig config, KafkaPublisher publisher, Clock clock) {
        this.config = config;
        this.publisher = publisher;
        this.clock = clock;
    }

    @Override
    public List<Component> components() {
        List<Component> out = new ArrayList<>();
        config.workers().forEach((name, worker) -> out.add(new Worker(name, Set.copyOf(worker.actions()))));
        return out;
    }

    /** The id of a task request, and of the attempt it asks for: {@code <execution>/<task>/<run>/<attempt>}. */
    static String requestId(TaskInvocation inv) {
        return inv.executionId() + "/" + inv.taskId() + "/" + inv.run() + "/" + inv.attempt();
    }

    private final class Worker implements Component {
        private final String name;
        private final Set<String> actions;

        Worker(String name, Set<String> actions) {
            this.name = name;
            this.actions = actions;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Set<String> actions() {
            return actions;
        }

        @Override
        public String description() {
            return "An external worker: each task is published to the destination topic as a task request, and"
                    + " the worker answers on the task results topic.";
        }

        @Override
        public String transport() {
            return "kafka";
        }

        @Override
        public String destination() {
            return config.tasksTopicPrefix() + name;
        }

        @Override
        public Uni<TaskResult> invoke(TaskInvocation inv) {
            if (!config.enabled()) { // no producer is created, nothing is attempted
                return Uni.createFrom().item(TaskResult.failure(ErrorTypes.CONNECTION_ERROR, "worker component '"
                        + name + "' needs Kafka, and Kafka is disabled (HARMONIA_KAFKA_ENABLED=false): the task"
                        + " request was not sent to topic " + config.tasksTopicPrefix() + name, false));
            }
            ObjectNode request = JsonNodeFactory.instance.objectNode();
            request.put("execution_id", inv.executionId());
            request.put("workflow_id", inv.workflowId());
            request.put("task_id", inv.taskId());
            request.put("run", inv.run());
            request.put("attempt", inv.attempt());
            request.put("component", name);
            request.put("action", inv.action());
            request.set("input", inv.input());
            if (inv.deadline() == null) {
                request.putNull("deadline");
            } else {
                request.put("deadline", inv.deadline().toString());
            }
            return publisher.send(CloudEventRecords.taskRequest(config.tasksTopicPrefix() + name, config.source(),
                            requestId(inv), inv.executionId(), inv.workflowId(), clock.instant(), request))
                    .replaceWith(TaskResult.pending())
                    .onFailure().recoverWithItem(err -> TaskResult.failure(ErrorTypes.CONNECTION_ERROR,
                            "could not publish the task request to Kafka topic " + config.tasksTopicPrefix() + name
                                    + ": " + err.getMessage(), true));
        }
    }
}
