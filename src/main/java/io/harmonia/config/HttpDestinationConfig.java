package io.harmonia.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Where outgoing HTTP calls may go: the {@code http} component's requests and webhook deliveries. Every host is
 * resolved first and each of its addresses checked; the call then connects to the checked address, so a DNS answer
 * that changes in between cannot redirect it. Checked in this order: {@link #deniedCidrs()} (always refused),
 * Harmonia's own ports on this host ({@link #allowOwnPorts()}), {@link #allowedHosts()} and {@link #allowedCidrs()}
 * (allowed), then the address class: public addresses are allowed, loopback and private ones only when switched on,
 * link-local (cloud metadata 169.254.169.254), unspecified (0.0.0.0), multicast and reserved ones never.
 */
@ConfigMapping(prefix = "harmonia.http.destinations")
public interface HttpDestinationConfig {

    /** Allow loopback addresses (127.0.0.0/8, ::1): this machine's own services. */
    @WithDefault("false")
    boolean allowLoopback();

    /**
     * Allow private addresses: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10 (carrier-grade NAT),
     * fc00::/7 (unique local) and fec0::/10 (site-local).
     */
    @WithDefault("false")
    boolean allowPrivate();

    /**
     * Allow Harmonia's own HTTP (and management) port on addresses of this host, when loopback or private addresses
     * are allowed otherwise. Off: a task cannot call Harmonia's own API or {@code /q/metrics}.
     */
    @WithDefault("false")
    boolean allowOwnPorts();

    /**
     * Host names allowed whatever they resolve to (except {@link #deniedCidrs()} and the own ports): exact names
     * ({@code billing.internal}) or {@code *.suffix} ({@code *.svc.cluster.local}), case-insensitive.
     */
    Optional<List<String>> allowedHosts();

    /** Address ranges allowed whatever their class ({@code 10.1.2.0/24}, {@code fd00:1::/64}, a single address). */
    Optional<List<String>> allowedCidrs();

    /** Address ranges always refused, even when allowed otherwise. */
    Optional<List<String>> deniedCidrs();

    /**
     * Whether the {@code http} component follows redirects (301, 302, 303, 307, 308). Each hop is checked again;
     * credentials are never carried to another origin. Off: a redirect is the task's output (status and
     * {@code location} header). Webhook deliveries never follow redirects.
     */
    @WithDefault("false")
    boolean followRedirects();

    /** The most redirects one request follows; one more fails the task with {@code CLIENT_ERROR}. */
    @WithDefault("5")
    int maxRedirects();

    /**
     * Request headers, besides {@code authorization}, {@code cookie} and {@code proxy-authorization}, that are
     * dropped when a redirect leads to another origin (scheme, host or port), e.g. {@code x-api-key}.
     */
    Optional<List<String>> sensitiveHeaders();

    /**
     * How long creating a webhook subscription waits for its host to resolve for the check. A host that does not
     * resolve in time is accepted (each delivery is checked again).
     */
    @WithDefault("3s")
    Duration resolveTimeout();
}
