package io.harmonia.webhook;

import io.harmonia.config.WebhookConfig;
import io.harmonia.eventstore.ExecutionLookups;
import io.harmonia.eventstore.FeedCursor;
import io.harmonia.eventstore.FeedLoop;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Delivers one subscription's events, in feed order, one at a time: reads the global feed from the subscription's
 * durable cursor, POSTs each matching event and moves the cursor after a 2xx. A failed attempt (an answer other than
 * 2xx, no answer within the request timeout, a connection error) is retried after
 * {@code initial-retry-delay × backoff-factor^(attempts-1)}, at most {@code max-retry-delay}; the attempts and the
 * next due time are stored, so a restart waits for the rest of the delay and goes on. Delivery is at-least-once:
 * receivers deduplicate by the CloudEvent {@code id}. The feed is followed by a {@link FeedLoop}; a page is handed on
 * once each of its matching events was delivered.
 */
final class SubscriptionDeliverer {
    private static final Logger LOG = Logger.getLogger(SubscriptionDeliverer.class);
    private static final int MAX_ERROR_LENGTH = 500;

    private final WebhookSubscription subscription;
    private final WebhookStore subscriptions;
    private final HttpClient http;
    private final WebhookConfig config;
    private final Vertx vertx;
    private final MeterRegistry metrics;
    private final Runnable onGone;
    private final ExecutionTracker tracker;
    private final FeedLoop loop;
    private final DestinationPolicy destinations;

    /** The cursor last stored (by a delivery or a skip): a page whose end is already stored is not saved again. */
    private FeedPosition stored;
    private int attempts;

    SubscriptionDeliverer(WebhookSubscription subscription, PgEventStore store, ExecutionLookups lookups,
            WebhookStore subscriptions, HttpClient http, WebhookConfig config, Vertx vertx, MeterRegistry metrics,
            Runnable onGone, DestinationPolicy destinations) {
        this.destinations = destinations;
        this.subscription = subscription;
        this.subscriptions = subscriptions;
        this.http = http;
        this.config = config;
        this.vertx = vertx;
        this.metrics = metrics;
        this.onGone = onGone;
        this.tracker = new ExecutionTracker(lookups, 10_000);
        this.stored = subscription.cursor();
        this.attempts = subscription.attempts();
        this.loop = new FeedLoop(store, vertx, new Cursor(), this::page, new FeedLoop.Settings(
                "webhook subscription " + subscription.id(), config.batchSize(), config.pollInterval(),
                Duration.ofSeconds(1)));
    }

    /** Starts delivering; after a restart, a failed delivery is attempted again when it is due. */
    void start() {
        Instant due = subscription.attempts() > 0 ? subscription.nextAttemptAt() : null;
        loop.startAfter(due == null ? Duration.ZERO : Duration.between(Instant.now(), due));
    }

    void stop() {
        loop.stop();
    }

    /** New events were appended: an idle deliverer looks at once (one waiting for a retry keeps waiting). */
    void nudge() {
        loop.wake();
    }

    /** The subscription's stored cursor: loaded when it was read, saved as "nothing to deliver up to here". */
    private final class Cursor implements FeedCursor {
        @Override
        public Uni<FeedPosition> load() {
            return Uni.createFrom().item(subscription.cursor());
        }

        @Override
        public Uni<Void> save(FeedPosition position) {
            if (position.equals(stored)) {
                return Uni.createFrom().voidItem();
            }
            return subscriptions.skipped(subscription.id(), position).invoke(exists -> {
                stored = position;
                if (!exists) {
                    gone();
                }
            }).replaceWithVoid();
        }
    }

    /** Delivers a page's matching events, in order, each until it is delivered (or the deliverer stops). */
    private Uni<Void> page(List<RecordedEvent> events) {
        RecordedEvent last = events.get(events.size() - 1);
        FeedPosition end = new FeedPosition(last.txId(), last.globalPosition());
        return tracker.messages(events).chain(messages -> {
            List<StreamMessage> matching = new ArrayList<>();
            for (StreamMessage m : messages) {
                if (subscription.matches(m.type(), m.workflowId())) {
                    matching.add(m);
                }
            }
            return deliverAll(matching, 0, end);
        });
    }

    private Uni<Void> deliverAll(List<StreamMessage> matching, int i, FeedPosition end) {
        if (i >= matching.size() || loop.stopped()) {
            return Uni.createFrom().voidItem();
        }
        // after the page's last matching event the cursor goes to the page's end at once: one write, not two
        FeedPosition next = i == matching.size() - 1 ? end : matching.get(i).position();
        return deliver(matching.get(i), next).chain(() -> deliverAll(matching, i + 1, end));
    }

    /** Attempts until a 2xx, waiting the retry delay after each failure. */
    private Uni<Void> deliver(StreamMessage m, FeedPosition next) {
        if (loop.stopped()) {
            return Uni.createFrom().voidItem();
        }
        String body = WebhookCloudEvents.of(m, config.source());
        Instant at = Instant.now();
        int attempt = attempts + 1;
        return post(body, at, attempt)
                .map(status -> status >= 200 && status < 300 ? null : status)
                .onItemOrFailure().transformToUni((failedStatus, err) -> {
                    if (err == null && failedStatus == null) {
                        return delivered(m, next, at);
                    }
                    String error = err != null ? describe(err) : "HTTP " + failedStatus + " from "
                            + subscription.url();
                    return failed(at, err != null ? null : failedStatus, error)
                            .chain(delay -> delay < 0 ? Uni.createFrom().voidItem()
                                    : after(delay).chain(() -> deliver(m, next)));
                });
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

    /** Stores the delivery and the cursor; a cursor that cannot be stored only means a later duplicate. */
    private Uni<Void> delivered(StreamMessage m, FeedPosition next, Instant at) {
        attempts = 0;
        metrics.counter("harmonia.webhooks.deliveries", "outcome", "delivered").increment();
        return subscriptions.delivered(subscription.id(), next, WebhookCloudEvents.id(m), at)
                .map(exists -> {
                    stored = next;
                    if (!exists) {
                        gone();
                    }
                    return null;
                })
                .onFailure().recoverWithItem(err -> {
                    // delivered, but the cursor could not be stored: it may be delivered again (at-least-once)
                    LOG.warnf("webhook subscription %s: could not store its cursor: %s", subscription.id(),
                            err.toString());
                    return null;
                })
                .replaceWithVoid();
    }

    /** Stores the failed attempt; the delay until the next one, or -1 when the subscription is gone. */
    private Uni<Long> failed(Instant at, Integer status, String error) {
        attempts++;
        long delay = delay(attempts);
        Instant next = Instant.now().plusMillis(delay);
        metrics.counter("harmonia.webhooks.deliveries", "outcome", "failed").increment();
        if (attempts == 1 || attempts % 10 == 0) {
            LOG.infof("webhook subscription %s: attempt %d failed (%s); retrying in %d ms", subscription.id(),
                    attempts, error, delay);
        }
        return subscriptions.failed(subscription.id(), attempts, at, next, status, error)
                .map(exists -> {
                    if (!exists) {
                        gone();
                        return -1L;
                    }
                    return Math.max(1, Duration.between(Instant.now(), next).toMillis());
                })
                .onFailure().recoverWithItem(Math.max(1, delay));
    }

    private Uni<Void> after(long millis) {
        return Uni.createFrom().emitter(e -> vertx.setTimer(Math.max(1, millis), id -> e.complete(null)));
    }

    /** The wait after {@code failedAttempts} failures: initial × factor^(n-1), capped. */
    long delay(int failedAttempts) {
        double d = config.initialRetryDelay().toMillis() * Math.pow(config.backoffFactor(), failedAttempts - 1);
        return (long) Math.min(d, config.maxRetryDelay().toMillis());
    }

    private void gone() {
        loop.stop();
        onGone.run();
    }


    private static String describe(Throwable err) {
        String s = err.getClass().getSimpleName() + ": " + err.getMessage();
        return s.length() > MAX_ERROR_LENGTH ? s.substring(0, MAX_ERROR_LENGTH) : s;
    }
}
