package io.harmonia.api.stream;

import io.harmonia.config.StreamConfig;
import io.harmonia.stream.StreamRequest;
import io.harmonia.stream.StreamService;
import io.harmonia.stream.StreamSubscriber;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Server-sent events: {@code GET /events/executions/{id}} (one execution: snapshot, then its events) and
 * {@code GET /events/executions} (every execution, filtered). Resume with {@code Last-Event-ID} (or {@code ?after=}).
 * Problems (404 unknown execution, 400 bad filter or resume point) are answered as problem+json before streaming.
 */
@ApplicationScoped
public class SseStreams {
    private static final Logger LOG = Logger.getLogger(SseStreams.class);

    private final StreamService streams;
    private final StreamConfig config;
    private final io.vertx.core.Vertx vertx;

    public SseStreams(StreamService streams, StreamConfig config, io.vertx.core.Vertx vertx) {
        this.streams = streams;
        this.config = config;
        this.vertx = vertx;
    }

    void routes(@Observes Router router) {
        router.get("/events/executions").handler(rc -> open(rc, null));
        router.get("/events/executions/:id").handler(rc -> open(rc, rc.pathParam("id")));
    }

    private void open(RoutingContext rc, String executionId) {
        boolean global = executionId == null;
        MultiMap params = rc.queryParams();
        Uni<StreamService.Checked> checked;
        try {
            StreamRequest request = StreamRequest.parse(name -> StreamUpgradeCheck.join(params.getAll(name)),
                    rc.request().getHeader("Last-Event-ID"), global);
            checked = global ? streams.checkGlobal(request) : streams.checkExecution(executionId, request);
        } catch (RuntimeException e) {
            checked = Uni.createFrom().failure(e);
        }
        checked.subscribe().with(c -> stream(rc, executionId, c), err -> problem(rc, err));
    }

    private void stream(RoutingContext rc, String executionId, StreamService.Checked checked) {
        HttpServerResponse response = rc.response();
        if (response.closed()) {
            return;
        }
        response.setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("X-Accel-Buffering", "no");
        response.write("retry: 2000\n\n");
        SseSink sink = new SseSink(response, executionId == null, executionId, vertx, config.sseHeartbeat(),
                config.closeTimeout());
        StreamSubscriber sub = executionId == null ? streams.openGlobal(checked, sink)
                : streams.openExecution(executionId, checked, sink);
        response.closeHandler(v -> {
            sink.cancelHeartbeat();
            sub.cancel();
        });
    }

    private void problem(RoutingContext rc, Throwable err) {
        StreamProblems.Answer a = StreamProblems.of(err);
        if (a.status() >= 500) {
            LOG.warnf("could not open a live stream %s: %s", rc.request().uri(), err);
        }
        if (!rc.response().closed() && !rc.response().ended()) {
            rc.response().setStatusCode(a.status()).putHeader("Content-Type", "application/problem+json")
                    .end(a.body().toString());
        }
    }
}
