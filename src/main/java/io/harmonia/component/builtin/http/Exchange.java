package io.harmonia.component.builtin.http;

import io.harmonia.component.TaskResult;
import io.harmonia.domain.definition.ErrorTypes;
import io.harmonia.net.Destination;
import io.harmonia.net.DestinationPolicy;
import io.harmonia.net.DestinationRules;
import io.harmonia.net.HttpTarget;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request and its response, with the redirects it follows. Each hop is checked by the destination policy and
 * connects to the checked address. Completes its emitter exactly once: with the response, or with the first failure
 * (refused destination, transport error, timeout, body over the limit), in which case the request is reset so that
 * its connection does not stay busy.
 */
final class Exchange {
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

    private final Vertx vertx;
    private final HttpClient client;
    private final DestinationPolicy policy;
    private final long maxResponseBytes;
    private final RequestSpec spec;
    private final UniEmitter<? super TaskResult> emitter;
    private final AtomicBoolean done = new AtomicBoolean();
    private final Buffer received = Buffer.buffer();
    private volatile HttpClientRequest request;
    private volatile long timerId = -1;

    // the current hop: changed by redirects (on the event loop; read by the timeout's message too)
    private volatile HttpTarget target;
    private volatile HttpMethod method;
    private volatile byte[] body;
    private final Map<String, List<String>> headers;
    private volatile int redirects;

    Exchange(Vertx vertx, HttpClient client, DestinationPolicy policy, long maxResponseBytes, RequestSpec spec,
            UniEmitter<? super TaskResult> emitter) {
        this.vertx = vertx;
        this.client = client;
        this.policy = policy;
        this.maxResponseBytes = maxResponseBytes;
        this.spec = spec;
        this.emitter = emitter;
        this.target = spec.target;
        this.method = spec.method;
        this.body = spec.body;
        this.headers = new LinkedHashMap<>(spec.headers);
    }

    void start() {
        emitter.onTermination(this::abort);
        timerId = vertx.setTimer(spec.timeoutMs, id -> finish(TaskResult.failure(ErrorTypes.TIMEOUT,
                what() + " timed out after " + spec.timeoutMs + " ms", true)));
        send();
    }

    /** "GET http://a/x", and after a redirect the hop it got to. */
    private String what() {
        return redirects == 0 ? spec.describe()
                : spec.describe() + " (redirected to " + method.name() + " " + target.url() + ")";
    }

    private void send() {
        policy.check(target).onComplete(checked -> {
            if (done.get()) {
                return;
            }
            if (checked.failed()) {
                finish(HttpResults.fromFailure(what(), spec.timeoutMs, checked.cause()));
            } else {
                open(checked.result());
            }
        });
    }

    private void open(Destination destination) {
        RequestOptions options;
        try {
            options = options(destination);
        } catch (RuntimeException e) {
            finish(TaskResult.failure(ErrorTypes.VALIDATION_ERROR,
                    "http.request: cannot build " + what() + ": " + HttpResults.messageOf(e), false));
            return;
        }
        client.request(options).onComplete(created -> {
            if (created.failed()) {
                finish(HttpResults.fromFailure(what(), spec.timeoutMs, created.cause()));
                return;
            }
            HttpClientRequest req = created.result();
            request = req;
            if (done.get()) {
                req.reset();
                return;
            }
            Future<HttpClientResponse> sent = body == null ? req.send() : req.send(Buffer.buffer(body));
            sent.onComplete(answer -> {
                if (answer.failed()) {
                    finish(HttpResults.fromFailure(what(), spec.timeoutMs, answer.cause()));
                } else if (isFollowed(answer.result())) {
                    follow(answer.result());
                } else {
                    receive(answer.result());
                }
            });
        });
    }

    /** The request for the current hop: to the checked address, never following redirects by itself. */
    private RequestOptions options(Destination destination) {
        RequestOptions options = new RequestOptions()
                .setMethod(method)
                .setAbsoluteURI(target.url())
                .setServer(destination.server())
                .setFollowRedirects(false)
                .setConnectTimeout(spec.timeoutMs)
                .setIdleTimeout(spec.timeoutMs);
        boolean userAgent = false;
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            userAgent |= header.getKey().equalsIgnoreCase("user-agent");
            for (String value : header.getValue()) {
                options.addHeader(header.getKey(), value);
            }
        }
        if (!userAgent) {
            options.putHeader("user-agent", "Harmonia");
        }
        return options;
    }

    private boolean isFollowed(HttpClientResponse response) {
        return policy.rules().followRedirects() && REDIRECTS.contains(response.statusCode())
                && response.getHeader("location") != null;
    }

    /** Goes on to the redirect's location: checked again; credentials stay behind when the origin changes. */
    private void follow(HttpClientResponse response) {
        request = response.request();
        response.exceptionHandler(ignored -> { }); // the reset below is expected, not an error to log
        resetRequest(); // the redirect's own body is not read: its connection is closed
        DestinationRules rules = policy.rules();
        if (redirects >= rules.maxRedirects()) {
            finish(TaskResult.failure(ErrorTypes.CLIENT_ERROR, what() + " was redirected more than "
                    + rules.maxRedirects() + " times (harmonia.http.destinations.max-redirects)", false));
            return;
        }
        HttpTarget next;
        try {
            next = target.resolve(response.getHeader("location"));
        } catch (HttpTarget.InvalidTarget e) {
            finish(TaskResult.failure(ErrorTypes.CLIENT_ERROR, what() + " responded " + response.statusCode()
                    + " with a location that " + e.getMessage(), false));
            return;
        }
        int status = response.statusCode();
        if ((status == 303 && method != HttpMethod.HEAD) || ((status == 301 || status == 302)
                && method == HttpMethod.POST)) {
            method = HttpMethod.GET;
            body = null;
            headers.keySet().removeIf(h -> h.equalsIgnoreCase("content-type") || h.equalsIgnoreCase("content-length"));
        }
        if (!next.origin().equals(target.origin())) {
            headers.keySet().removeIf(h -> rules.sensitiveHeaders().contains(h.toLowerCase(Locale.ROOT)));
        }
        redirects++;
        target = next;
        send();
    }

    private void receive(HttpClientResponse response) {
        request = response.request();
        response.exceptionHandler(error -> finish(HttpResults.fromFailure(what(), spec.timeoutMs, error)));
        // An error response is only read for the excerpt in its message: a huge error page is still the
        // CLIENT_ERROR / SERVER_ERROR it says it is, not a PAYLOAD_TOO_LARGE.
        boolean errorStatus = response.statusCode() >= 400;
        long cap = errorStatus ? Math.min(maxResponseBytes, HttpResults.ERROR_BODY_BYTES) : maxResponseBytes;
        String length = response.getHeader("content-length");
        if (!errorStatus && method != HttpMethod.HEAD && length != null
                && HttpResults.parseLength(length) > maxResponseBytes) {
            finish(tooLarge());
            return;
        }
        response.handler(chunk -> {
            if (done.get()) {
                return;
            }
            if ((long) received.length() + chunk.length() > cap) {
                if (errorStatus) {
                    received.appendBuffer(chunk, 0, (int) (cap - received.length()));
                    finish(HttpResults.fromResponse(what(), response, received.getBytes(), true));
                } else {
                    finish(tooLarge());
                }
                return;
            }
            received.appendBuffer(chunk);
        });
        response.endHandler(ignored -> {
            if (done.compareAndSet(false, true)) {
                cancelTimer();
                TaskResult result;
                try {
                    result = HttpResults.fromResponse(what(), response, received.getBytes(), false);
                } catch (RuntimeException e) {
                    result = HttpResults.unexpected(e);
                }
                emitter.complete(result);
            }
        });
    }

    /** Ends the exchange early with a failure: resets the request (closing its connection). */
    private void finish(TaskResult result) {
        if (done.compareAndSet(false, true)) {
            cancelTimer();
            resetRequest();
            emitter.complete(result);
        }
    }

    /** The subscriber went away (cancelled, or after the result): release what is still held. */
    private void abort() {
        if (done.compareAndSet(false, true)) {
            cancelTimer();
            resetRequest();
        }
    }

    private void cancelTimer() {
        long id = timerId;
        if (id >= 0) {
            vertx.cancelTimer(id);
        }
    }

    private void resetRequest() {
        HttpClientRequest req = request;
        if (req != null) {
            try {
                req.reset();
            } catch (RuntimeException ignored) {
                // already done
            }
        }
    }

    private TaskResult tooLarge() {
        return TaskResult.failure(ErrorTypes.PAYLOAD_TOO_LARGE,
                what() + ": response body exceeds the limit of " + maxResponseBytes + " bytes", false);
    }
}
