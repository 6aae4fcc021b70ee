package io.harmonia.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.api.BadRequest;
import io.harmonia.api.ProblemMappers;
import io.harmonia.domain.definition.Problem;
import io.harmonia.domain.definition.InvalidRequest;
import io.harmonia.net.DestinationDenied;
import io.harmonia.net.DestinationPolicy;
import io.harmonia.net.HttpTarget;
import io.harmonia.projection.workflows.WorkflowReadModel;
import io.harmonia.stream.StreamTypes;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Webhook subscriptions: {@code /api/subscriptions}. A subscription names a {@code url} (http or https), the
 * {@code event_types} it wants (stream names; empty or missing: all), an optional {@code workflow_id} and a
 * {@code secret} (16 to 256 characters; generated when missing and returned once, at creation).
 */
@Path("/api/subscriptions")
@Produces(MediaType.APPLICATION_JSON)
public class SubscriptionResource {
    private static final Set<String> FIELDS = Set.of("url", "event_types", "workflow_id", "secret");
    private static final int MAX_URL_LENGTH = 2048;
    private static final int MIN_SECRET = 16;
    private static final int MAX_SECRET = 256;
    private static final int MAX_LIMIT = 500;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final WebhookStore store;
    private final WorkflowReadModel workflows;
    private final WebhookDispatcher dispatcher;
    private final DestinationPolicy destinations;

    public SubscriptionResource(WebhookStore store, WorkflowReadModel workflows, WebhookDispatcher dispatcher,
            DestinationPolicy destinations) {
        this.store = store;
        this.workflows = workflows;
        this.dispatcher = dispatcher;
        this.destinations = destinations;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> create(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new InvalidRequest("The subscription is invalid", List.of(new Problem("",
                    "expected a JSON object with url, event_types, workflow_id and secret, found "
                            + (body == null ? "nothing" : body.getNodeType().name().toLowerCase(Locale.ROOT)))));
        }
        List<Problem> problems = new ArrayList<>();
        body.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                problems.add(new Problem("/" + f, "unknown field '" + f + "'; expected one of "
                        + List.of("url", "event_types", "workflow_id", "secret")));
            }
        });
        String url = url(body.get("url"), problems);
        List<String> types = eventTypes(body.get("event_types"), problems);
        String workflowId = workflowId(body.get("workflow_id"), problems);
        String secret = secret(body.get("secret"), problems);
        Uni<Optional<Problem>> workflowExists = workflowId == null ? Uni.createFrom().item(Optional.empty())
                : workflows.current(workflowId).map(row -> row.isPresent() && !row.get().deleted() ? Optional.empty()
                        : Optional.of(new Problem("/workflow_id", "expected the id of an existing workflow, found '"
                                + workflowId + "'")));
        return workflowExists.chain(missing -> destinationProblem(url).map(refused -> {
            missing.ifPresent(problems::add);
            refused.ifPresent(problems::add);
            return problems;
        })).chain(ignored -> {
            if (!problems.isEmpty()) {
                return Uni.createFrom().failure(new InvalidRequest("The subscription is invalid", problems));
            }
            return store.create(url, types, workflowId, secret);
        }).map(s -> {
            dispatcher.changed();
            return Response.created(URI.create("/api/subscriptions/" + s.id())).entity(s.toJson(true)).build();
        });
    }

    @GET
    public Uni<JsonNode> list(@RestQuery String limit, @RestQuery String offset) {
        int l = number("limit", limit, 50);
        int o = number("offset", offset, 0);
        if (l < 1 || l > MAX_LIMIT) {
            throw BadRequest.of("/query/limit", "expected limit from 1 to " + MAX_LIMIT + ", found " + l);
        }
        if (o < 0) {
            throw BadRequest.of("/query/offset", "expected a non-negative offset, found " + o);
        }
        return store.list(l, o).map(page -> {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            ArrayNode items = out.putArray("items");
            page.items().forEach(s -> items.add(s.toJson(false)));
            out.put("total", page.total()).put("limit", l).put("offset", o);
            return out;
        });
    }

    @GET
    @Path("/{id}")
    public Uni<JsonNode> get(@RestPath String id) {
        if (!isUuid(id)) {
            throw new SubscriptionNotFound(id);
        }
        return store.get(id).map(s -> s.orElseThrow(() -> new SubscriptionNotFound(id)).toJson(false));
    }

    @DELETE
    @Path("/{id}")
    public Uni<Response> delete(@RestPath String id) {
        if (!isUuid(id)) {
            throw new SubscriptionNotFound(id);
        }
        return store.delete(id).map(existed -> {
            if (!existed) {
                throw new SubscriptionNotFound(id);
            }
            dispatcher.changed();
            return Response.noContent().build();
        });
    }

    @ServerExceptionMapper
    public Response notFound(SubscriptionNotFound e) {
        return ProblemMappers.problem(404, "not-found", "Subscription not found", e.getMessage(), List.of());
    }

    /**
     * Whether the destination policy refuses the URL: its literal address, or what its host resolves to now. A host
     * that does not resolve within the resolve timeout is accepted: each delivery is checked again.
     */
    private Uni<Optional<Problem>> destinationProblem(String url) {
        if (url == null) {
            return Uni.createFrom().item(Optional.empty());
        }
        return Uni.createFrom().deferred(() -> destinations.checked(HttpTarget.parse(url)))
                .ifNoItem().after(destinations.rules().resolveTimeout()).fail()
                .map(ok -> Optional.<Problem>empty())
                .onFailure(DestinationDenied.class).recoverWithItem(e -> Optional.of(new Problem("/url",
                        "expected a URL the destination policy allows; " + e.getMessage())))
                .onFailure().recoverWithItem(Optional.empty());
    }

    private static String url(JsonNode node, List<Problem> problems) {
        String expected = "expected an absolute http or https URL";
        if (node == null || node.isNull()) {
            problems.add(new Problem("/url", expected + ", found nothing"));
            return null;
        }
        if (!node.isTextual()) {
            problems.add(new Problem("/url", expected + ", found " + node));
            return null;
        }
        String url = node.asText().trim();
        if (url.length() > MAX_URL_LENGTH) {
            problems.add(new Problem("/url", expected + " of at most " + MAX_URL_LENGTH + " characters, found "
                    + url.length()));
            return null;
        }
        if (HttpTarget.hasUserInfo(url)) {
            // never echo the credentials
            problems.add(new Problem("/url", expected + " that " + HttpTarget.USER_INFO_REFUSED));
            return null;
        }
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || uri.isOpaque()) {
                problems.add(new Problem("/url", expected + " with a host, found '" + url + "'"));
                return null;
            }
            if (uri.getFragment() != null) {
                problems.add(new Problem("/url", expected + " without a #fragment, found '" + url + "'"));
                return null;
            }
            HttpTarget.parse(url);
            return url;
        } catch (URISyntaxException e) {
            problems.add(new Problem("/url", expected + ", found '" + url + "' (" + e.getReason() + ")"));
            return null;
        } catch (HttpTarget.InvalidTarget e) {
            problems.add(new Problem("/url", expected + " that " + e.getMessage() + ", found '" + url + "'"));
            return null;
        }
    }

    private static List<String> eventTypes(JsonNode node, List<Problem> problems) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            problems.add(new Problem("/event_types", "expected an array of event types among " + StreamTypes.NAMES
                    + " (empty for all), found " + node));
            return List.of();
        }
        Set<String> types = new LinkedHashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode t = node.get(i);
            if (!t.isTextual() || !StreamTypes.known(t.asText())) {
                problems.add(new Problem("/event_types/" + i, "expected an event type among " + StreamTypes.NAMES
                        + ", found " + t));
            } else {
                types.add(t.asText());
            }
        }
        return List.copyOf(types);
    }

    private static String workflowId(JsonNode node, List<Problem> problems) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual() || !isUuid(node.asText())) {
            problems.add(new Problem("/workflow_id", "expected the id (a UUID) of a workflow, found " + node));
            return null;
        }
        return node.asText().toLowerCase(Locale.ROOT);
    }

    private static String secret(JsonNode node, List<Problem> problems) {
        if (node == null || node.isNull()) {
            byte[] bytes = new byte[24];
            RANDOM.nextBytes(bytes);
            return "whsec_" + HexFormat.of().formatHex(bytes);
        }
        if (!node.isTextual()) {
            problems.add(new Problem("/secret", "expected a string of " + MIN_SECRET + " to " + MAX_SECRET
                    + " characters, found " + node.getNodeType().name().toLowerCase(Locale.ROOT)));
            return null;
        }
        int length = node.asText().length();
        if (length < MIN_SECRET || length > MAX_SECRET) {
            // never echo a secret back
            problems.add(new Problem("/secret", "expected a string of " + MIN_SECRET + " to " + MAX_SECRET
                    + " characters, found " + length + " characters"));
            return null;
        }
        return node.asText();
    }

    private static int number(String name, String value, int dflt) {
        if (value == null || value.isBlank()) {
            return dflt;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw BadRequest.of("/query/" + name, "expected an integer " + name + ", found '" + value + "'");
        }
    }

    private static boolean isUuid(String s) {
        try {
            UUID.fromString(s);
            return s.length() == 36;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
