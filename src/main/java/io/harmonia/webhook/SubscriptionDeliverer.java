package io.harmonia.webhook;

import io.harmonia.eventstore.IdleWait;
import io.harmonia.config.WebhookConfig;
import io.harmonia.eventstore.FeedPosition;
import io.harmonia.eventstore.PgEventStore;
import io.harmonia.eventstore.RecordedEvent;
import io.harmonia.net.DestinationPolicy;
import io.harmonia.net.HttpTarget;
import io.harmonia.stream.ExecutionTracker;
import io.harmonia.stream.StreamMessage;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.http.HttpClient;
import io.vertx.mutiny.sqlclient.Pool;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Delivers one subscription's events, in feed order, one at a time: reads the global feed from the subscription's
 * durable cursor, POSTs each matching event and moves the cursor after a 2xx. A failed attempt (an answer other than
 * 2xx, no answer within the request timeout, a connection error) is retried after
 * {@code initial-retry-delay × backoff-factor^(attempts-1)}, at most {@code max-retry-delay}; the attempts and the
 * next due time are stored, so a restart waits for the rest of the delay and goes on. Delivery is at-least-once:
 * receivers deduplicate by the CloudEvent {@code id}.
 */
final class SubscriptionDeliverer {
    private static final Logger LOG = Logger.getLogger(SubscriptionDeliverer.class);
    private static final int MAX_ERROR_LENGTH = 500;

    private final WebhookSubscription subscription;
    private final Pool pool;
    private final PgEventStore store;
    private final WebhookStore subscriptions;
    private final HttpClient http;
    private final WebhookConfig config;
    private final Vertx vertx;
    private final MeterRegistry metrics;
    private final Runnable onGone;
    private final ExecutionTracker tracker;
    private final ArrayDeque<StreamMessage> pending = new ArrayDeque<>();

    private volatile boolean stopped;
    private FeedPosition cursor;
    private FeedPosition pageEnd;
    private int attempts;
    private final IdleWait idleWait;
    private final DestinationPolicy destinations;

    SubscriptionDeliverer(WebhookSubscription subscription, Pool pool, PgEventStore store, WebhookStore subscriptions,
            HttpClient http, WebhookConfig config, Vertx vertx, MeterRegistry metrics, Runnable onGone,
            DestinationPolicy destinations) {
        this.destinations = destinations;
        this.subscription = subscription;
        this.pool = pool;
        this.store = store;
        this.subscriptions = subscriptions;
        this.http = http;
        this.config = config;
        this.vertx = vertx;
        this.idleWait = new IdleWait(vertx, this::round);
        this.metrics = metrics;
        this.onGone = onGone;
        this.tracker = new ExecutionTracker(pool, 10_000);
        this.cursor = subscription.cursor();
        this.attempts = subscription.attempts();
    }

    void start() {
        Instant due = subscription.attempts() > 0 ? subscription.nextAttemptAt() : null;
        long wait = due == null ? 0 : Duration.between(Instant.now(), due).toMillis();
        if (wait > 0) {
            vertx.setTimer(wait, id -> round());
        } else {
            vertx.runOnContext(this::round);
        }
    }

    void stop() {
        stopped = true;
        idleWait.cancel();
    }

    /** New events were appended: an idle deliverer looks at once (one waiting for a retry keeps waiting). */
    void nudge() {
        idleWait.wake();
    }

    private void round() {
        if (stopped) {
            return;
        }
        if (!pending.isEmpty()) {
            deliverNext();
            return;
        }
        int batch = config.batchSize();
        store.readFeed(cursor, batch)
                .chain(events -> events.isEmpty() ? Uni.createFrom().item(0) : page(events))
                .subscribe().with(count -> {
                    if (stopped) {
                        return;
                    }
                    if (!pending.isEmpty()) {
                        deliverNext();
                    } else if (count == batch) {
                        vertx.runOnContext(this::round);
                    } else {
                        if (!stopped) {
                            idleWait.waitFor(config.pollInterval().toMillis());
                        }
                    }
                }, err -> {
                    LOG.warnf("webhook subscription %s cannot read the event feed, retrying: %s", subscription.id(),
                            err.toString());
                    vertx.setTimer(1000, id -> round());
                });
    }

    private Uni<Integer> page(List<RecordedEvent> events) {
        RecordedEvent last = events.get(events.size() - 1);
        FeedPosition end = new FeedPosition(last.txId(), last.globalPosition());
        return tracker.messages(events).chain(messages -> {
            for (StreamMessage m : messages) {
                if (subscription.matches(m.type(), m.workflowId())) {
                    pending.add(m);
                }
            }
            pageEnd = end;
            if (!pending.isEmpty()) {
                return Uni.createFrom().item(events.size());
            }
            cursor = end;
            return subscriptions.skipped(subscription.id(), end).map(exists -> {
                if (!exists) {
                    gone();
                }
                return events.size();
            });
        });
    }

    private void deliverNext() {
        StreamMessage m = pending.peek();
        String body = WebhookCloudEvents.of(m, config.source());
        Instant at = Instant.now();
        int attempt = attempts + 1;
        post(body, at, attempt).subscribe().with(status -> {
            if (status >= 200 && status < 300) {
                delivered(m, at);
            } else {
                failed(at, status, "HTTP " + status + " from " + subscription.url());
            }
        }, err -> failed(at, null, describe(err)));
    }

    /**
     * One attempt: the URL's host is resolved and checked by the destination policy first, and the request goes to
     * the checked address (a refused destination fails the attempt before any connection; redirects are not
     * followed).
     */
    private Uni<Integer> post(String body, Instant at, int attempt) {
        long timeout = Math.max(1, config.requestTimeout().toMillis());
        return Uni.createFrom().deferred(() -> destinations.checked(HttpTarget.parse(subscription.url())))
                .chain(destination -> {
                    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
                            .setAbsoluteURI(destination.target().url())
                            .setServer(destination.server())
                            .setFollowRedirects(false)
                            .setTimeout(timeout)
                            .putHeader("Content-Type", WebhookCloudEvents.CONTENT_TYPE)
                            .putHeader(WebhookSignature.HEADER, WebhookSignature.sign(subscription.secret(),
                                    at.getEpochSecond(), body))
                            .putHeader("Harmonia-Subscription-Id", subscription.id())
                            .putHeader("Harmonia-Delivery-Attempt", String.valueOf(attempt))
                            .putHeader("User-Agent", "Harmonia-Webhooks/1");
                    return http.request(options);
                })
                .chain(req -> req.send(Buffer.buffer(body)))
                .chain(resp -> resp.body().map(ignored -> resp.statusCode()))
                .ifNoItem().after(Duration.ofMillis(timeout + 1000)).failWith(() -> new java.util.concurrent
                        .TimeoutException("no answer within " + timeout + " ms"));
    }

    private void delivered(StreamMessage m, Instant at) {
        pending.poll();
        FeedPosition next = pending.isEmpty() ? pageEnd : m.position();
        attempts = 0;
        metrics.counter("harmonia.webhooks.deliveries", "outcome", "delivered").increment();
        subscriptions.delivered(subscription.id(), next, WebhookCloudEvents.id(m), at).subscribe().with(exists -> {
            cursor = next;
            if (!exists) {
                gone();
                return;
            }
            round();
        }, err -> {
            // the event was delivered but the cursor could not be stored: it may be delivered again (at-least-once)
            LOG.warnf("webhook subscription %s: could not store its cursor: %s", subscription.id(), err.toString());
            cursor = next;
            vertx.setTimer(1000, id -> round());
        });
    }

    private void failed(Instant at, Integer status, String error) {
        attempts++;
        long delay = delay(attempts);
        Instant next = Instant.now().plusMillis(delay);
        metrics.counter("harmonia.webhooks.deliveries", "outcome", "failed").increment();
        if (attempts == 1 || attempts % 10 == 0) {
            LOG.infof("webhook subscription %s: attempt %d failed (%s); retrying in %d ms", subscription.id(),
                    attempts, error, delay);
        }
        subscriptions.failed(subscription.id(), attempts, at, next, status, error).subscribe().with(exists -> {
            if (!exists) {
                gone();
                return;
            }
            vertx.setTimer(Math.max(1, Duration.between(Instant.now(), next).toMillis()), id -> round());
        }, err -> vertx.setTimer(Math.max(1, delay), id -> round()));
    }

    /** The wait after {@code failedAttempts} failures: initial × factor^(n-1), capped. */
    long delay(int failedAttempts) {
        double d = config.initialRetryDelay().toMillis() * Math.pow(config.backoffFactor(), failedAttempts - 1);
        return (long) Math.min(d, config.maxRetryDelay().toMillis());
    }

    private void gone() {
        stopped = true;
        onGone.run();
    }


    private static String describe(Throwable err) {
        String s = err.getClass().getSimpleName() + ": " + err.getMessage();
        return s.length() > MAX_ERROR_LENGTH ? s.substring(0, MAX_ERROR_LENGTH) : s;
    }
}
