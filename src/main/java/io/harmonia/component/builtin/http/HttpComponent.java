package io.harmonia.component.builtin.http;

import io.harmonia.component.Component;
import io.harmonia.component.TaskInvocation;
import io.harmonia.component.TaskResult;
import io.harmonia.domain.definition.ErrorTypes;
import io.harmonia.net.DestinationPolicy;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.mutiny.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Set;

/**
 * The built-in {@code http} component, action {@code request}: one HTTP call, made without blocking through the
 * Vert.x HTTP client of the application's {@link Vertx}.
 *
 * <p>Input:
 *
 * <pre>{@code
 * {"method": "POST", "url": "https://api.example.com/orders", "headers": {"authorization": "Bearer ..."},
 *  "query": {"page": 2}, "body": {"id": 1}, "timeout_ms": 30000}
 * }</pre>
 *
 * <p>Output: {@code {"status": 200, "headers": {"content-type": "application/json"}, "body": {...}}}: header names
 * in lower case, repeated headers joined with {@code ", "}; the body parsed when the response declares JSON, else a
 * string, null when empty.
 *
 * <p>Destinations: the {@link DestinationPolicy} checks the URL's addresses after resolving its host, and the
 * request connects to the checked address; a refused destination fails with {@code CLIENT_ERROR} before any
 * connection. Redirects are followed only when configured (each hop checked again, credentials never sent to
 * another origin); otherwise a 3xx response is the output.
 *
 * <p>Errors: 4xx and refused destinations {@code CLIENT_ERROR} (not retriable), 5xx {@code SERVER_ERROR}
 * (retriable), refused / reset / unresolvable host {@code CONNECTION_ERROR} (retriable), no complete response
 * within {@code timeout_ms} {@code TIMEOUT} (retriable), a response body over the size limit
 * {@code PAYLOAD_TOO_LARGE} (not retriable), bad input (such as a URL with user info) {@code VALIDATION_ERROR} (not
 * retriable). The returned {@link Uni} never fails.
 *
 * <p>It uses the core Vert.x HTTP client rather than the web client: the web client cannot abort a response whose
 * body is being received (a failing body stream only drains it), so a response over the size limit, or one still
 * trickling in when the timeout fires, would keep its pooled connection busy for as long as the server likes. With
 * the core client the request is reset, which closes that connection.
 */
@ApplicationScoped
public class HttpComponent implements Component {

    public static final String NAME = "http";
    public static final String REQUEST = "request";
    public static final Set<String> ACTIONS = Set.of(REQUEST);

    /** Default limit on the response body: 10 MiB. */
    public static final long DEFAULT_MAX_RESPONSE_BYTES = 10L * 1024 * 1024;

    /** Default {@code timeout_ms}: 30 s. */
    public static final long DEFAULT_TIMEOUT_MS = RequestSpec.DEFAULT_TIMEOUT_MS;

    /** The methods accepted in {@code method} (case-insensitive). */
    public static final List<String> METHODS = RequestSpec.METHODS;

    /** Connections kept per host (HTTP/1.1); further requests to that host wait for one. */
    static final int MAX_CONNECTIONS_PER_HOST = 32;

    private final io.vertx.core.Vertx vertx;
    private final HttpClient client;
    private final DestinationPolicy policy;
    private final long maxResponseBytes;

    /** CDI constructor: the default response size limit. */
    @Inject
    public HttpComponent(Vertx vertx, DestinationPolicy policy) {
        this(vertx, DEFAULT_MAX_RESPONSE_BYTES, policy);
    }

    /**
     * @param vertx the Vert.x instance the HTTP client runs on
     * @param maxResponseBytes the largest response body accepted, in bytes (1 .. {@link Integer#MAX_VALUE})
     * @param policy where requests may go
     */
    public HttpComponent(Vertx vertx, long maxResponseBytes, DestinationPolicy policy) {
        if (maxResponseBytes <= 0 || maxResponseBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("maxResponseBytes must be in 1.." + Integer.MAX_VALUE
                    + "; found " + maxResponseBytes);
        }
        this.maxResponseBytes = maxResponseBytes;
        this.policy = policy;
        this.vertx = vertx.getDelegate();
        this.client = this.vertx.createHttpClient(new HttpClientOptions(),
                new PoolOptions().setHttp1MaxSize(MAX_CONNECTIONS_PER_HOST));
    }

    @PreDestroy
    void close() {
        client.close();
    }

    public long maxResponseBytes() {
        return maxResponseBytes;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> actions() {
        return ACTIONS;
    }

    @Override
    public Uni<TaskResult> invoke(TaskInvocation invocation) {
        Uni<TaskResult> result;
        try {
            if (!REQUEST.equals(invocation.action())) {
                return Uni.createFrom().item(TaskResult.failure(ErrorTypes.VALIDATION_ERROR,
                        "component '" + NAME + "' has no action '" + invocation.action() + "'; expected one of "
                                + ACTIONS,
                        false));
            }
            RequestSpec spec;
            try {
                spec = RequestSpec.parse(invocation.input());
            } catch (RequestSpec.InvalidInput e) {
                return Uni.createFrom().item(
                        TaskResult.failure(ErrorTypes.VALIDATION_ERROR, "http.request: " + e.getMessage(), false));
            }
            result = Uni.createFrom().emitter(emitter ->
                    new Exchange(vertx, client, policy, maxResponseBytes, spec, emitter).start());
        } catch (RuntimeException e) {
            result = Uni.createFrom().item(HttpResults.unexpected(e));
        }
        // A component never fails its Uni: anything that slipped through becomes a result.
        return result.onFailure().recoverWithItem(HttpResults::unexpected);
    }
}
