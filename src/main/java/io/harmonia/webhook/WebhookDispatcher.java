package io.harmonia.webhook;

import io.harmonia.config.WebhookConfig;
import io.harmonia.eventstore.AppendSignal;
import io.harmonia.eventstore.ExecutionLookups;
import io.harmonia.eventstore.LeaderLock;
import io.harmonia.eventstore.PgEventStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.http.HttpClient;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Delivers webhooks. With several replicas exactly one delivers: the one holding a Postgres advisory lock on a
 * dedicated connection (as the Kafka relay does); when it dies, its connection closes, the lock is released and
 * another replica takes over from the durable cursors. Each subscription is delivered by its own
 * {@link SubscriptionDeliverer}, so one slow or failing endpoint delays no other. Executions never wait for it.
 */
@ApplicationScoped
public class WebhookDispatcher {
    private static final Logger LOG = Logger.getLogger(WebhookDispatcher.class);
    static final long LOCK_KEY = 0x484152574542484bL; // "HARWEBHK"

    private final PgEventStore store;
    private final ExecutionLookups lookups;
    private final WebhookStore subscriptions;
    private final AppendSignal appends;
    private final WebhookConfig config;
    private final Vertx vertx;
    private final MeterRegistry metrics;
    private final Map<String, SubscriptionDeliverer> deliverers = new ConcurrentHashMap<>();
    /** Where deliveries may go: checked before each attempt. */
    @jakarta.inject.Inject
    io.harmonia.net.DestinationPolicy destinations;

    private volatile boolean stopped;
    private final LeaderLock lock;
    private HttpClient http;
    private long rescanTimer = -1;
    private boolean scanning;

    public WebhookDispatcher(Pool pool, PgEventStore store, ExecutionLookups lookups, WebhookStore subscriptions,
            AppendSignal appends, WebhookConfig config, Vertx vertx, MeterRegistry metrics) {
        this.store = store;
        this.lookups = lookups;
        this.subscriptions = subscriptions;
        this.appends = appends;
        this.config = config;
        this.vertx = vertx;
        this.metrics = metrics;
        this.lock = new LeaderLock(pool, vertx, LOCK_KEY, "delivers webhooks", this::acquired,
                this::lostLeadership);
    }

    void start(@Observes StartupEvent ignored) {
        if (!config.enabled()) {
            LOG.info("webhook delivery is disabled on this replica (harmonia.webhooks.enabled=false)");
            return;
        }
        http = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.requestTimeout().toMillis()))
                .setMaxPoolSize(config.maxConnectionsPerHost())
                .setKeepAlive(true));
        appends.subscribe(this::nudge);
        lock.start();
    }

    void stop(@Observes ShutdownEvent ignored) {
        stopped = true;
        deliverers.values().forEach(SubscriptionDeliverer::stop);
        deliverers.clear();
        lock.stop();
        if (http != null) {
            http.closeAndForget();
        }
    }

    /** Whether this replica is the one delivering. */
    public boolean leader() {
        return lock.held();
    }

    /** A subscription was created or deleted here: pick it up now rather than at the next scan. */
    void changed() {
        if (lock.held()) {
            vertx.runOnContext(this::rescan);
        }
    }

    private void nudge() {
        if (!lock.held()) {
            return;
        }
        for (SubscriptionDeliverer d : deliverers.values()) {
            d.nudge();
        }
    }

    private void acquired() {
        rescan();
        rescanTimer = vertx.setPeriodic(Math.max(1, config.rescanInterval().toMillis()), id -> rescan());
    }

    private void lostLeadership() {
        vertx.cancelTimer(rescanTimer);
        deliverers.values().forEach(SubscriptionDeliverer::stop);
        deliverers.clear();
    }

    /** Starts a deliverer for each new subscription, stops those of deleted ones. */
    private void rescan() {
        synchronized (this) {
            if (scanning || !lock.held() || stopped) {
                return;
            }
            scanning = true;
        }
        subscriptions.all().subscribe().with(all -> {
            Set<String> ids = new HashSet<>();
            for (WebhookSubscription s : all) {
                ids.add(s.id());
                if (lock.held() && !stopped && !deliverers.containsKey(s.id())) {
                    SubscriptionDeliverer d = new SubscriptionDeliverer(s, store, lookups, subscriptions, http,
                            config, vertx, metrics, () -> deliverers.remove(s.id()), destinations);
                    deliverers.put(s.id(), d);
                    d.start();
                }
            }
            for (var e : deliverers.entrySet()) {
                if (!ids.contains(e.getKey())) {
                    e.getValue().stop();
                    deliverers.remove(e.getKey());
                }
            }
            synchronized (this) {
                scanning = false;
            }
        }, err -> {
            LOG.warnf("could not read the webhook subscriptions: %s", err.getMessage());
            synchronized (this) {
                scanning = false;
            }
        });
    }
}
