package io.harmonia.net;

import io.harmonia.config.HttpDestinationConfig;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The destination policy's settings (see {@link HttpDestinationConfig}) and its decision for one address.
 *
 * @param sensitiveHeaders lower-case names of the headers dropped on a redirect to another origin
 */
public record DestinationRules(boolean allowLoopback, boolean allowPrivate, boolean allowOwnPorts,
        List<String> allowedHosts, List<Cidr> allowedCidrs, List<Cidr> deniedCidrs, boolean followRedirects,
        int maxRedirects, Set<String> sensitiveHeaders, Duration resolveTimeout) {

    static final String PREFIX = "harmonia.http.destinations.";

    /** Always dropped on a redirect to another origin. */
    public static final Set<String> CREDENTIAL_HEADERS = Set.of("authorization", "cookie", "proxy-authorization");

    public DestinationRules {
        allowedHosts = allowedHosts.stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).toList();
        allowedCidrs = List.copyOf(allowedCidrs);
        deniedCidrs = List.copyOf(deniedCidrs);
        Set<String> headers = new LinkedHashSet<>(CREDENTIAL_HEADERS);
        sensitiveHeaders.forEach(h -> headers.add(h.trim().toLowerCase(Locale.ROOT)));
        sensitiveHeaders = Set.copyOf(headers);
        if (maxRedirects < 0) {
            throw new IllegalArgumentException(PREFIX + "max-redirects must be 0 or more; found " + maxRedirects);
        }
    }

    /** The defaults: public addresses only, no redirects. */
    public static DestinationRules defaults() {
        return new DestinationRules(false, false, false, List.of(), List.of(), List.of(), false, 5, Set.of(),
                Duration.ofSeconds(3));
    }

    /** The rules a configuration gives; a malformed range fails with the property's name. */
    public static DestinationRules of(HttpDestinationConfig c) {
        return new DestinationRules(c.allowLoopback(), c.allowPrivate(), c.allowOwnPorts(),
                c.allowedHosts().orElse(List.of()), cidrs(c.allowedCidrs().orElse(List.of()), "allowed-cidrs"),
                cidrs(c.deniedCidrs().orElse(List.of()), "denied-cidrs"), c.followRedirects(), c.maxRedirects(),
                Set.copyOf(c.sensitiveHeaders().orElse(List.of())), c.resolveTimeout());
    }

    public DestinationRules withLoopback(boolean allow) {
        return new DestinationRules(allow, allowPrivate, allowOwnPorts, allowedHosts, allowedCidrs, deniedCidrs,
                followRedirects, maxRedirects, sensitiveHeaders, resolveTimeout);
    }

    public DestinationRules withAllowed(List<String> hosts, List<String> cidrs) {
        return new DestinationRules(allowLoopback, allowPrivate, allowOwnPorts, hosts, cidrs(cidrs, "allowed-cidrs"),
                deniedCidrs, followRedirects, maxRedirects, sensitiveHeaders, resolveTimeout);
    }

    public DestinationRules withDenied(List<String> cidrs) {
        return new DestinationRules(allowLoopback, allowPrivate, allowOwnPorts, allowedHosts, allowedCidrs,
                cidrs(cidrs, "denied-cidrs"), followRedirects, maxRedirects, sensitiveHeaders, resolveTimeout);
    }

    public DestinationRules withRedirects(boolean follow, int max, Set<String> extraSensitiveHeaders) {
        return new DestinationRules(allowLoopback, allowPrivate, allowOwnPorts, allowedHosts, allowedCidrs,
                deniedCidrs, follow, max, extraSensitiveHeaders, resolveTimeout);
    }

    /**
     * Why a connection to {@code address}:{@code port} for host {@code host} is refused, or null when allowed.
     *
     * @param local whether the address is one of this host's own
     * @param ownPorts Harmonia's own listening ports
     */
    public String refusal(String host, InetAddress address, int port, boolean local, Set<Integer> ownPorts) {
        for (Cidr c : deniedCidrs) {
            if (c.contains(address)) {
                return "is in the denied range " + c + " (" + PREFIX + "denied-cidrs)";
            }
        }
        if (!allowOwnPorts && local && ownPorts.contains(port)) {
            return "is Harmonia's own port " + port + " on this host (" + PREFIX + "allow-own-ports)";
        }
        if (hostAllowed(host)) {
            return null;
        }
        for (Cidr c : allowedCidrs) {
            if (c.contains(address)) {
                return null;
            }
        }
        AddressClass kind = AddressClass.of(address);
        return switch (kind) {
            case PUBLIC -> null;
            case LOOPBACK -> allowLoopback ? null
                    : "is " + kind.description() + " (allow with " + PREFIX + "allow-loopback=true)";
            case PRIVATE -> allowPrivate ? null
                    : "is " + kind.description() + " (allow with " + PREFIX + "allow-private=true or "
                            + PREFIX + "allowed-cidrs)";
            default -> "is " + kind.description() + " (allow only with " + PREFIX + "allowed-cidrs)";
        };
    }

    /** Whether a host name is in {@code allowed-hosts}: exactly, or under a {@code *.suffix} entry. */
    boolean hostAllowed(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        for (String allowed : allowedHosts) {
            if (allowed.startsWith("*.") ? h.endsWith(allowed.substring(1)) : h.equals(allowed)) {
                return true;
            }
        }
        return false;
    }

    private static List<Cidr> cidrs(List<String> texts, String property) {
        List<Cidr> out = new ArrayList<>();
        for (String t : texts) {
            if (t.isBlank()) {
                continue;
            }
            try {
                out.add(Cidr.parse(t));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(PREFIX + property + ": " + e.getMessage());
            }
        }
        return out;
    }
}
