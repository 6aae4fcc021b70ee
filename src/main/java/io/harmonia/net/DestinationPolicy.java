package io.harmonia.net;

import io.harmonia.config.HttpDestinationConfig;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxInternal;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Decides whether an outgoing HTTP call may go to a URL (see {@link HttpDestinationConfig}): resolves its host
 * without blocking, checks every address, and hands back the address to connect to. Callers connect to exactly
 * that address ({@link Destination#server()}), so DNS rebinding cannot swap it after the check. Used by the
 * {@code http} component (on every redirect hop too) and by webhook subscriptions and deliveries.
 */
@Singleton
@Startup
public class DestinationPolicy {
    private static final Logger LOG = Logger.getLogger(DestinationPolicy.class);

    /** Resolves a host name to all its addresses without blocking. */
    @FunctionalInterface
    public interface Resolver {
        Future<List<InetAddress>> resolve(String host);
    }

    private final DestinationRules rules;
    private final Resolver resolver;
    private final Supplier<Set<Integer>> ownPorts;
    private final Set<InetAddress> localAddresses;

    @Inject
    public DestinationPolicy(HttpDestinationConfig config, Vertx vertx) {
        this(DestinationRules.of(config), vertxResolver(vertx), DestinationPolicy::configuredOwnPorts,
                interfaceAddresses());
    }

    /**
     * @param ownPorts Harmonia's own ports (asked at each check: a random test port is known only once listening)
     * @param localAddresses the addresses of this host's network interfaces
     */
    public DestinationPolicy(DestinationRules rules, Resolver resolver, Supplier<Set<Integer>> ownPorts,
            Set<InetAddress> localAddresses) {
        this.rules = rules;
        this.resolver = resolver;
        this.ownPorts = ownPorts;
        this.localAddresses = Set.copyOf(localAddresses);
    }

    public DestinationRules rules() {
        return rules;
    }

    /**
     * The destination of a target: fails with {@link DestinationDenied} when the policy refuses it (its literal
     * address, or any address its name resolves to), or with the resolver's failure (such as
     * {@link UnknownHostException}).
     */
    public Future<Destination> check(HttpTarget target) {
        if (target.literal() != null) {
            String refusal = refusal(target, target.literal());
            return refusal == null ? Future.succeededFuture(new Destination(target, target.literal()))
                    : Future.failedFuture(denied(target.host() + " " + refusal));
        }
        Future<List<InetAddress>> resolved;
        try {
            resolved = resolver.resolve(target.bareHost());
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        return resolved.compose(addresses -> {
            if (addresses == null || addresses.isEmpty()) {
                return Future.failedFuture(new UnknownHostException(target.host() + ": no address"));
            }
            for (InetAddress address : addresses) {
                String refusal = refusal(target, address);
                if (refusal != null) {
                    LOG.debugf("destination %s refused: it resolves to %s, which %s", target.host(), address,
                            refusal);
                    return Future.failedFuture(denied(target.host() + " resolves to an address that " + refusal));
                }
            }
            return Future.succeededFuture(new Destination(target, addresses.get(0)));
        });
    }

    /** {@link #check} as a {@link Uni}. */
    public Uni<Destination> checked(HttpTarget target) {
        return Uni.createFrom().completionStage(() -> check(target).toCompletionStage());
    }

    private String refusal(HttpTarget target, InetAddress address) {
        boolean local = address.isLoopbackAddress() || address.isAnyLocalAddress()
                || AddressClass.of(address) == AddressClass.LOOPBACK
                || AddressClass.of(address) == AddressClass.UNSPECIFIED
                || localAddresses.contains(AddressClass.unmapped(address));
        return rules.refusal(target.host(), address, target.port(), local,
                ownPorts.get());
    }

    private static DestinationDenied denied(String reason) {
        return new DestinationDenied("destination not allowed by policy: " + reason);
    }

    /** The resolver Vert.x connections use (hosts file, DNS servers and search domains as configured). */
    public static Resolver vertxResolver(Vertx vertx) {
        return host -> {
            Promise<List<InetSocketAddress>> promise = Promise.promise();
            ((VertxInternal) vertx).addressResolver().resolveHostnameAll(host, promise);
            return promise.future().map(list -> list.stream().map(InetSocketAddress::getAddress).toList());
        };
    }

    /** The ports Harmonia listens on: HTTP and, when separate, management (as bound: a random port is known). */
    static Set<Integer> configuredOwnPorts() {
        Config config = ConfigProvider.getConfig();
        boolean test = LaunchMode.current() == LaunchMode.TEST;
        Set<Integer> ports = new HashSet<>();
        config.getOptionalValue(test ? "quarkus.http.test-port" : "quarkus.http.port", Integer.class)
                .ifPresent(ports::add);
        if (config.getOptionalValue("quarkus.management.enabled", Boolean.class).orElse(false)) {
            config.getOptionalValue(test ? "quarkus.management.test-port" : "quarkus.management.port",
                    Integer.class).ifPresent(ports::add);
        }
        ports.remove(0);
        return ports;
    }

    private static Set<InetAddress> interfaceAddresses() {
        Set<InetAddress> addresses = new HashSet<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                    addresses.add(AddressClass.unmapped(a));
                }
            }
        } catch (SocketException | RuntimeException e) {
            LOG.warnf("cannot list this host's addresses; only loopback and 0.0.0.0 count as this host: %s",
                    e.toString());
        }
        return addresses;
    }
}
