package io.harmonia.net;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Destination policies for tests that build components by hand. */
public final class Policies {

    private Policies() {}

    /** The rules with the real Vert.x resolver, no own ports, no interface addresses. */
    public static DestinationPolicy of(DestinationRules rules, Vertx vertx) {
        return new DestinationPolicy(rules, DestinationPolicy.vertxResolver(vertx), Set::of, Set.of());
    }

    /** The defaults with loopback allowed (local test servers). */
    public static DestinationPolicy loopbackAllowed(Vertx vertx) {
        return of(DestinationRules.defaults().withLoopback(true), vertx);
    }

    /** A resolver that knows only the given names (e.g. a name that no real DNS knows). */
    public static DestinationPolicy.Resolver fixed(Map<String, List<InetAddress>> names) {
        return host -> names.containsKey(host) ? Future.succeededFuture(names.get(host))
                : Future.failedFuture(new java.net.UnknownHostException(host));
    }
}
