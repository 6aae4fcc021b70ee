package io.harmonia.eventstore;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.pubsub.PgSubscriber;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgConnectOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Appends made by other replicas, told across replicas with Postgres LISTEN/NOTIFY.
 *
 * <p>Channel {@value #CHANNEL}: a transaction that appended events another replica must hear of at once calls
 * {@link #notifyAppended}; the notification is delivered to every listening session when (and only if) that
 * transaction commits. Its payload is the execution id (or empty); receivers must not rely on it. Every replica
 * listens on its own connection (outside the pool) and raises its local {@link AppendSignal} for each
 * notification, so its feed followers read the feed now instead of at their next poll.
 *
 * <p>A NOTIFY takes a database-wide lock at commit, so it serializes the commits that send one: it is not sent on
 * every append, only where a replica appended to an execution that another replica drives. A notification missed
 * while the listening connection is down (it reconnects every second and then raises the signal once) costs one
 * poll interval, never an event: followers always read the feed itself.
 */
@ApplicationScoped
public class AppendNotifications {
    private static final Logger LOG = Logger.getLogger(AppendNotifications.class);

    /** The LISTEN/NOTIFY channel of appends. */
    public static final String CHANNEL = "harmonia_appends";
    private static final String NOTIFY = "select pg_notify('" + CHANNEL + "', $1)";
    private static final long RECONNECT_MILLIS = 1000;

    private final Vertx vertx;
    private final AppendSignal signal;
    private final Optional<String> url;
    private final Optional<String> username;
    private final Optional<String> password;
    private volatile PgSubscriber subscriber;
    private volatile boolean stopped;
    private volatile boolean listening;
    private volatile boolean warned;
    private volatile int subscriptions;

    public AppendNotifications(Vertx vertx, AppendSignal signal,
            @ConfigProperty(name = "quarkus.datasource.reactive.url") Optional<String> url,
            @ConfigProperty(name = "quarkus.datasource.username") Optional<String> username,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.vertx = vertx;
        this.signal = signal;
        this.url = url;
        this.username = username;
        this.password = password;
    }

    /**
     * Sends the notification from {@code tx}: delivered to the other replicas when {@code tx} commits.
     *
     * @param executionId the execution appended to, or null; kept in the payload for receivers that care
     */
    public static Uni<Void> notifyAppended(SqlClient tx, String executionId) {
        return tx.preparedQuery(NOTIFY).execute(Tuple.of(executionId == null ? "" : executionId)).replaceWithVoid();
    }

    /** Whether this replica is listening now (its connection is up and LISTEN was acknowledged). */
    public boolean listening() {
        PgSubscriber s = subscriber;
        return listening && s != null && s.actualConnection() != null;
    }

    void start(@Observes StartupEvent ignored) {
        if (url.isEmpty()) {
            LOG.warn("quarkus.datasource.reactive.url is not set: appends of other replicas are found by polling");
            return;
        }
        PgConnectOptions options = PgConnectOptions.fromUri(firstUrl(url.get()));
        username.ifPresent(options::setUser);
        password.ifPresent(options::setPassword);
        PgSubscriber s = PgSubscriber.subscriber(vertx, options)
                .reconnectPolicy(retries -> stopped ? -1L : RECONNECT_MILLIS);
        s.channel(CHANNEL)
                .subscribeHandler(this::subscribed)
                .handler(payload -> signal.appendedElsewhere());
        s.closeHandler(this::closed);
        subscriber = s;
        connect();
    }

    void stop(@Observes ShutdownEvent ignored) {
        stopped = true;
        listening = false;
        PgSubscriber s = subscriber;
        if (s != null) {
            s.closeAndForget();
        }
    }

    private void connect() {
        if (stopped) {
            return;
        }
        subscriber.connect().subscribe().with(ok -> { }, err -> {
            if (listening || !warned) {
                LOG.warnf("cannot listen to channel %s (appends of other replicas are found by polling until it"
                        + " can): %s", CHANNEL, err.toString());
                warned = true;
            }
            listening = false;
            vertx.setTimer(RECONNECT_MILLIS, id -> connect());
        });
    }

    /** Listening (again): appends may have been missed meanwhile, so the followers look once. */
    private void subscribed() {
        if (warned || subscriptions > 0) {
            LOG.infof("listening to channel %s again (notifications sent meanwhile were missed: the feed followers"
                    + " read the feed now)", CHANNEL);
            warned = false;
        }
        subscriptions++;
        listening = true;
        signal.appendedElsewhere();
    }

    /** The connection closed for good (the reconnect policy gave up, or stop). */
    private void closed() {
        listening = false;
        if (!stopped) {
            LOG.warnf("stopped listening to channel %s; connecting again", CHANNEL);
            warned = true;
            vertx.setTimer(RECONNECT_MILLIS, id -> connect());
        }
    }

    /** Quarkus takes a comma-separated list of URLs, possibly prefixed with vertx-reactive:. */
    static String firstUrl(String urls) {
        String first = urls.split(",")[0].trim();
        return first.startsWith("vertx-reactive:") ? first.substring("vertx-reactive:".length()) : first;
    }
}
