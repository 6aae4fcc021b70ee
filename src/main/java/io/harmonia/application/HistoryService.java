package io.harmonia.application;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.config.HistoryConfig;
import io.harmonia.domain.definition.InvalidRequest;
import io.harmonia.domain.definition.Problem;
import io.harmonia.domain.execution.ExecutionDecider;
import io.harmonia.domain.execution.ExecutionEvent;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionStarted;
import io.harmonia.domain.execution.ExecutionNotFound;
import io.harmonia.domain.execution.HistoryVerifier;
import io.harmonia.domain.execution.HistoryVerifier.Divergence;
import io.harmonia.domain.execution.HistoryVerifier.Report;
import io.harmonia.eventstore.EventCodec;
import io.harmonia.eventstore.PgEventStore;
import io.harmonia.eventstore.RecordedEvent;
import io.harmonia.eventstore.StreamIds;
import io.harmonia.projection.executions.ExecutionLoader;
import io.harmonia.projection.executions.ExecutionView;
import io.harmonia.projection.workflows.WorkflowDefinitions;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * An execution's history put to use: the execution as it was right after any of its events (time travel), and
 * whether today's engine makes the same decisions as the ones stored (verify).
 */
@ApplicationScoped
public class HistoryService {

    private final PgEventStore store;
    private final ExecutionLoader loader;
    private final WorkflowDefinitions definitions;
    private final HistoryVerifier verifier;
    private final HistoryConfig config;

    public HistoryService(PgEventStore store, ExecutionLoader loader, WorkflowDefinitions definitions,
            ExecutionDecider decider, HistoryConfig config) {
        this.store = store;
        this.loader = loader;
        this.definitions = definitions;
        this.verifier = new HistoryVerifier(decider, HistoryService::storedForm);
        this.config = config;
    }

    /**
     * The execution view (as GET /api/executions/{id} shows it) right after event {@code atSequence}, folded from
     * the nearest checkpoint before it, with {@code at_sequence} added. 404 for an unknown execution, 422 for a
     * sequence that is not one of its events.
     */
    public Uni<JsonNode> viewAt(String executionId, String atSequence) {
        String stream = StreamIds.execution(executionId);
        return ExecutionService.validId(executionId).chain(() -> store.streamLength(stream)).chain(last -> {
            if (last == 0) {
                return Uni.createFrom().failure(new ExecutionNotFound(executionId));
            }
            int n = sequence(executionId, atSequence, last);
            return loader.load(executionId, n).chain(state -> definitions
                    .definition(state.workflowId(), state.workflowVersion())
                    .map(wf -> (JsonNode) ExecutionView.of(state, wf).put("at_sequence", n)));
        });
    }

    private static int sequence(String executionId, String raw, int last) {
        long n;
        try {
            n = Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            n = Long.MIN_VALUE;
        }
        if (n < 1 || n > last) {
            String found = n == Long.MIN_VALUE ? "'" + (raw.length() > 60 ? raw.substring(0, 60) + "..." : raw) + "'"
                    : String.valueOf(n);
            throw new InvalidRequest("No such event in the history of execution '" + executionId + "'",
                    List.of(new Problem("/query/at_sequence", "expected an event sequence of execution '"
                            + executionId + "' from 1 to " + last + " (its last event), found " + found)));
        }
        return (int) n;
    }

    /**
     * Folds the execution's stored history through today's decider, deciding again at each step: "same", or the
     * first event where today's engine decides otherwise. Read page by page; decided on a worker thread. An
     * execution with more than {@link HistoryConfig#verifyMaxEvents()} events is refused (422).
     */
    public Uni<JsonNode> verify(String executionId) {
        String stream = StreamIds.execution(executionId);
        int max = config.verifyMaxEvents();
        return ExecutionService.validId(executionId).chain(() -> store.streamLength(stream)).chain(length -> {
            if (length == 0) {
                return Uni.createFrom().failure(new ExecutionNotFound(executionId));
            }
            if (length > max) {
                return Uni.createFrom().failure(new InvalidRequest("The history of execution '" + executionId
                        + "' is too long to verify", List.of(new Problem("", "expected at most " + max
                        + " events (harmonia.history.verify-max-events), found " + length + " in the history of"
                        + " execution '" + executionId + "'"))));
            }
            return store.streamAll(stream).select().first(length).collect().asList()
                    .chain(recorded -> {
                        Object first = recorded.get(0).event();
                        if (!(first instanceof ExecutionStarted started)) {
                            return Uni.createFrom().item(report(executionId, new Report(recorded.size(), 0,
                                    new Divergence(1, (ExecutionEvent) first, null, "expected the history to begin"
                                            + " with ExecutionStarted, found " + recorded.get(0).type()))));
                        }
                        return definitions.definition(started.workflowId(), started.workflowVersion())
                                .chain(wf -> offEventLoop(() -> report(executionId,
                                        verifier.verify(decoded(recorded), wf))));
                    });
        });
    }

    private static List<ExecutionEvent> decoded(List<RecordedEvent> recorded) {
        List<ExecutionEvent> out = new ArrayList<>(recorded.size());
        recorded.forEach(r -> out.add((ExecutionEvent) r.event()));
        return out;
    }

    /** The JSON of a verify report. */
    public static ObjectNode report(String executionId, Report r) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("execution_id", executionId);
        o.put("events", r.events());
        o.put("decisions", r.decisions());
        o.put("result", r.same() ? "same" : "diverged");
        if (r.same()) {
            o.putNull("divergence");
        } else {
            Divergence d = r.divergence();
            ObjectNode div = o.putObject("divergence");
            div.put("sequence", d.sequence());
            div.set("stored", typed(d.stored()));
            div.set("decided", typed(d.decided()));
            div.put("reason", d.reason());
        }
        return o;
    }

    private static JsonNode typed(ExecutionEvent e) {
        if (e == null) {
            return JsonNodeFactory.instance.nullNode();
        }
        EventCodec.Encoded enc = EventCodec.encode(e);
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("type", enc.type());
        o.set("data", enc.payload());
        return o;
    }

    /**
     * An event as it is stored: its JSON payload read back, so that numbers compare by value whatever made them
     * (an expression's long and a stored int read back alike).
     */
    public static JsonNode storedForm(ExecutionEvent e) {
        try {
            return EventCodec.json().readTree(EventCodec.encodeToText(e)[2]);
        } catch (JsonProcessingException ex) {
            throw new IllegalArgumentException("Could not read back event " + e.getClass().getSimpleName(), ex);
        }
    }

    private static <T> Uni<T> offEventLoop(Supplier<T> work) {
        Context caller = Vertx.currentContext();
        Uni<T> done = Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        return caller == null ? done : done.emitOn(task -> caller.runOnContext(ignored -> task.run()));
    }
}
