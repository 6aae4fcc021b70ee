package io.harmonia.application;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.domain.trigger.TriggerFiring;
import io.harmonia.domain.trigger.TriggerNotActive;
import io.harmonia.domain.trigger.TriggerSpec;
import io.harmonia.eventstore.EventCodec;
import io.harmonia.projection.triggers.TriggerReadModel;
import io.harmonia.projection.triggers.TriggerSecrets;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * {@code POST /api/triggers/{id}/fire}: an HTTP trigger fired by a call. The signature (when the trigger has one) is
 * checked over the raw body before anything else; the event is {@code {body, headers, query}} (header names in lower
 * case); the default idempotency key is the {@code Idempotency-Key} header.
 */
@ApplicationScoped
public class HttpTriggerFires {
    private static final Logger LOG = Logger.getLogger(HttpTriggerFires.class);

    private static final java.util.Set<String> HIDDEN_HEADERS = java.util.Set.of("authorization", "cookie",
            "proxy-authorization");

    private final TriggerReadModel readModel;
    private final TriggerSecrets secrets;
    private final TriggerService triggers;
    private final TriggerFires fires;
    private final Clock clock;

    public HttpTriggerFires(TriggerReadModel readModel, TriggerSecrets secrets, TriggerService triggers,
            TriggerFires fires, Clock clock) {
        this.readModel = readModel;
        this.secrets = secrets;
        this.triggers = triggers;
        this.fires = fires;
        this.clock = clock;
    }

    /** Fires trigger {@code id}; {@code headers} and {@code query} keep the first value of each name. */
    public Uni<TriggerFires.Outcome> fire(String id, byte[] body, Map<String, String> headers,
            Map<String, String> query) {
        return triggers.get(id).chain(row -> {
            TriggerSpec spec = triggers.spec(row.spec());
            if (!(spec.source() instanceof TriggerSpec.HttpSource http)) {
                throw new TriggerNotActive(id, "it is a Kafka trigger (topic '"
                        + ((TriggerSpec.KafkaSource) spec.source()).topic() + "'), fired by records only");
            }
            if (row.paused()) {
                throw new TriggerNotActive(id);
            }
            TriggerFires.Firing firing = new TriggerFires.Firing(id, spec, row.createdAt());
            Uni<Void> verified = http.signature() == null ? Uni.createFrom().voidItem()
                    : secrets.get(id).map(secret -> {
                        String given = headers.get(http.signature().header().toLowerCase(Locale.ROOT));
                        if (given == null) {
                            throw new SignatureRejected("Expected the header " + http.signature().header()
                                    + " with sha256=<hex HMAC-SHA256 of the body> to fire trigger '" + id
                                    + "', found none");
                        }
                        if (secret.isEmpty() || !TriggerSignatures.verify(secret.get(), given, body)) {
                            throw new SignatureRejected("Expected the header " + http.signature().header()
                                    + " to hold the HMAC-SHA256 of the body under trigger '" + id
                                    + "''s secret, found a signature that does not match");
                        }
                        return null;
                    });
            return verified.chain(() -> offEventLoop(() -> plan(firing, body, headers, query)))
                    .chain(fire -> fires.apply(firing, fire))
                    .call(outcome -> readModel.count(id, outcome.fired() ? 1 : 0, outcome.fired() ? 0 : 1, 0,
                                    outcome.fired() ? clock.instant() : null)
                            .onFailure().invoke(e -> LOG.warnf("could not count a fire of trigger %s: %s", id,
                                    e.getMessage()))
                            .onFailure().recoverWithNull());
        });
    }

    private TriggerFiring.Fire plan(TriggerFires.Firing firing, byte[] body, Map<String, String> headers,
            Map<String, String> query) {
        JsonNode parsed;
        try {
            parsed = body.length == 0 ? JsonNodeFactory.instance.nullNode() : EventCodec.json().readTree(body);
        } catch (java.io.IOException e) {
            throw new io.harmonia.domain.definition.InvalidRequest("The fire's body is not JSON", List.of(
                    new io.harmonia.domain.definition.Problem("", "expected a JSON body, found text that does not"
                            + " parse: " + e.getMessage().lines().findFirst().orElse(""))));
        }
        ObjectNode event = JsonNodeFactory.instance.objectNode();
        event.set("body", parsed);
        ObjectNode h = event.putObject("headers");
        String signatureHeader = firing.spec().source() instanceof TriggerSpec.HttpSource http
                && http.signature() != null ? http.signature().header().toLowerCase(Locale.ROOT) : null;
        headers.forEach((name, value) -> {
            // credentials are not for expressions (their results end up in events)
            if (!HIDDEN_HEADERS.contains(name) && !name.equals(signatureHeader)) {
                h.put(name, value);
            }
        });
        ObjectNode q = event.putObject("query");
        query.forEach(q::put);
        return fires.plan(firing, event, headers.get("idempotency-key"), parsed);
    }

    private static <T> Uni<T> offEventLoop(java.util.function.Supplier<T> work) {
        Context caller = Vertx.currentContext();
        Uni<T> done = Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        return caller == null ? done : done.emitOn(task -> caller.runOnContext(ignored -> task.run()));
    }
}
