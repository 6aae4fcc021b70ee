package io.harmonia.api;

import io.harmonia.config.ApiConfig;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Problem+json for the errors answered before (or outside) JAX-RS: a body over the size limit (413), a request URI
 * or headers over their limits (414, 431), a query string that is not valid percent-encoding (400), no route (404)
 * and any failure of a Vert.x route. Requests beyond the HTTP decoder's own limits
 * ({@code quarkus.http.limits.max-initial-line-length}, {@code max-header-size}) are answered by Vert.x before any
 * route, with an empty body; those limits are set well above the ones checked here.
 */
@ApplicationScoped
public class HttpProblems {
    private static final Logger LOG = Logger.getLogger(HttpProblems.class);
    /** Before Quarkus' own body-size check (order -2), which answers 413 with an empty body. */
    private static final int ORDER = -3;

    private final ApiConfig config;
    private final long maxBodyBytes;

    public HttpProblems(ApiConfig config,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> maxBodySize) {
        this.config = config;
        this.maxBodyBytes = maxBodySize.map(MemorySize::asLongValue).orElse(Long.MAX_VALUE);
    }

    void routes(@Observes Router router) {
        router.route().order(ORDER).handler(this::guard).failureHandler(this::failure);
        for (int status : List.of(400, 404, 405, 406, 413, 414, 415, 431, 500)) {
            router.errorHandler(status, rc -> answer(rc, status, ProblemTypes.detail(status,
                    rc.request().method().name(), rc.request().path(), rc.request().headers())));
        }
    }

    private void guard(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        String uri = request.uri();
        if (uri.length() > config.maxUriLength()) {
            answer(rc, 414, "The request URI is " + uri.length() + " characters, above the limit of "
                    + config.maxUriLength());
            return;
        }
        long headerBytes = 0;
        for (Map.Entry<String, String> h : request.headers()) {
            headerBytes += h.getKey().length() + h.getValue().length() + 4;
        }
        if (headerBytes > config.maxHeaderBytes()) {
            answer(rc, 431, "The request headers are " + headerBytes + " bytes, above the limit of "
                    + config.maxHeaderBytes());
            return;
        }
        String length = request.getHeader("Content-Length");
        if (length != null) {
            long bytes;
            try {
                bytes = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                answer(rc, 400, "Expected a number of bytes in Content-Length, found '" + shorten(length) + "'");
                return;
            }
            if (bytes > maxBodyBytes) {
                // the body is not read: close the connection after the answer (as Quarkus' own check does)
                rc.response().putHeader("Connection", "close")
                        .endHandler(v -> request.connection().close());
                answer(rc, 413, "The request body is " + bytes + " bytes, above the limit of " + maxBodyBytes
                        + " bytes");
                return;
            }
        }
        try {
            rc.queryParams();
        } catch (RuntimeException e) {
            answer(rc, 400, "The query string is not valid percent-encoded UTF-8: " + shorten(request.query()));
            return;
        }
        rc.next();
    }

    private void failure(RoutingContext rc) {
        HttpServerResponse response = rc.response();
        if (response.ended() || response.closed() || response.headWritten()) {
            rc.next();
            return;
        }
        Throwable failure = rc.failure();
        int status = failure instanceof HttpException http ? http.getStatusCode() : rc.statusCode();
        if (status < 400) {
            status = 500;
        }
        if (status >= 500) {
            LOG.errorf(failure, "unexpected error answering %s %s", rc.request().method(), shorten(rc.request().path()));
        }
        String detail = status == 413 ? "The request body is above the limit of " + maxBodyBytes + " bytes"
                : ProblemTypes.detail(status, rc.request().method().name(), rc.request().path(),
                        rc.request().headers());
        answer(rc, status, detail);
    }

    private static void answer(RoutingContext rc, int status, String detail) {
        HttpServerResponse response = rc.response();
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(status).putHeader("Content-Type", ProblemMappers.PROBLEM_JSON)
                .end(ProblemMappers.body(status, ProblemTypes.of(status), ProblemTypes.title(status), detail,
                        List.of()).toString());
    }

    private static String shorten(String s) {
        String t = String.valueOf(s);
        return t.length() > 100 ? t.substring(0, 100) + "..." : t;
    }
}
