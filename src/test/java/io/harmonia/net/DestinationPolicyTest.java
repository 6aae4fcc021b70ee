package io.harmonia.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The destination policy on its own: address classes, URL forms, configuration, resolution. */
class DestinationPolicyTest {

    private static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static Future<Destination> check(DestinationPolicy policy, String url) {
        return policy.check(HttpTarget.parse(url));
    }

    private static Throwable failure(DestinationPolicy policy, String url) throws Exception {
        try {
            check(policy, url).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected " + url + " to be refused");
    }

    private static Destination allowed(DestinationPolicy policy, String url) throws Exception {
        return check(policy, url).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    @Test
    void theDefaultsRefuseEveryNonPublicAddressInEveryForm() throws Exception {
        DestinationPolicy policy = Policies.of(DestinationRules.defaults(), vertx);
        for (String url : new String[] {
                "http://127.0.0.1:8080/q/metrics", "http://127.0.0.2/", "http://localhost/", "http://LocalHost:80/",
                "http://0.0.0.0:8080/", "http://0/", "http://[::1]/", "http://[::]/",
                "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/",
                "http://10.0.0.1/", "http://172.16.5.4/", "http://172.31.255.255/", "http://192.168.1.1/",
                "http://100.64.0.1/", "http://[fc00::1]/", "http://[fd12:3456::1]/",
                "http://224.0.0.1/", "http://255.255.255.255/", "http://[ff02::1]/", "http://240.0.0.1/",
                // IPv4 addresses in IPv6 clothing
                "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/", "http://[::ffff:169.254.169.254]/",
                "http://[::127.0.0.1]/", "http://[64:ff9b::a9fe:a9fe]/", "http://[2002:7f00:1::]/",
                // IPv4 addresses as browsers read them
                "http://2130706433/", "http://0x7f000001/", "http://0177.0.0.1/", "http://127.1/",
                "http://0x7f.0.0.1:8080/x", "http://2852039166/", "http://017700000001/",
        }) {
            Throwable refused = failure(policy, url);
            assertThat(refused).as(url).isInstanceOf(DestinationDenied.class);
            assertThat(refused.getMessage()).as(url).startsWith("destination not allowed by policy: ");
        }
        assertThat(failure(policy, "http://localhost:9/").getMessage())
                .isEqualTo("destination not allowed by policy: localhost resolves to an address that is a loopback"
                        + " address (allow with harmonia.http.destinations.allow-loopback=true)");
        assertThat(failure(policy, "http://169.254.169.254/").getMessage()).contains("link-local", "allowed-cidrs");
        assertThat(failure(policy, "http://2130706433/").getMessage()).contains("127.0.0.1", "loopback");
    }

    @Test
    void publicAddressesAreAllowedAndTheCheckedAddressIsTheOneToConnectTo() throws Exception {
        DestinationPolicy policy = Policies.of(DestinationRules.defaults(), vertx);
        Destination d = allowed(policy, "https://93.184.216.34/x?y=1");
        assertThat(d.address()).isEqualTo(ip("93.184.216.34"));
        assertThat(d.server().port()).isEqualTo(443);
        assertThat(d.server().hostAddress()).isEqualTo("93.184.216.34");
        assertThat(allowed(policy, "http://[2606:4700::1111]:8080/").address()).isEqualTo(ip("2606:4700::1111"));
    }

    @Test
    void aNameIsRefusedWhenAnyOfItsAddressesIsAndOtherwiseConnectsToAnAddressItChecked() throws Exception {
        DestinationPolicy.Resolver dns = Policies.fixed(Map.of(
                "mixed.test", List.of(ip("93.184.216.34"), ip("10.0.0.7")),
                "public.test", List.of(ip("93.184.216.34"))));
        DestinationPolicy policy = new DestinationPolicy(DestinationRules.defaults(), dns, Set::of, Set.of());
        assertThat(failure(policy, "http://mixed.test/").getMessage())
                .contains("mixed.test resolves to an address that is a private address")
                .doesNotContain("10.0.0.7");
        assertThat(allowed(policy, "http://public.test/").address()).isEqualTo(ip("93.184.216.34"));
        assertThat(failure(policy, "http://unknown.test/")).isInstanceOf(java.net.UnknownHostException.class);
    }

    @Test
    void allowLoopbackOpensLoopbackButNotMetadataNorTheUnspecifiedAddressNorHarmoniasOwnPort() throws Exception {
        DestinationPolicy policy = new DestinationPolicy(DestinationRules.defaults().withLoopback(true),
                DestinationPolicy.vertxResolver(vertx), () -> Set.of(8080), Set.of(ip("10.1.2.3")));
        assertThat(allowed(policy, "http://127.0.0.1:5000/").address()).isEqualTo(ip("127.0.0.1"));
        assertThat(allowed(policy, "http://[::1]:5000/").address()).isEqualTo(ip("::1"));
        assertThat(failure(policy, "http://169.254.169.254/")).isInstanceOf(DestinationDenied.class);
        assertThat(failure(policy, "http://0.0.0.0:5000/")).isInstanceOf(DestinationDenied.class);
        assertThat(failure(policy, "http://10.0.0.1:5000/")).isInstanceOf(DestinationDenied.class);
        assertThat(failure(policy, "http://127.0.0.1:8080/q/metrics").getMessage())
                .contains("Harmonia's own port 8080", "allow-own-ports");
        assertThat(failure(policy, "http://localhost:8080/api/subscriptions").getMessage()).contains("own port");
    }

    @Test
    void ownPortsOnThisHostsOtherAddressesAreRefusedEvenWhenPrivateAddressesAreAllowed() throws Exception {
        DestinationRules rules = new DestinationRules(false, true, false, List.of(), List.of(), List.of(), false, 5,
                Set.of(), java.time.Duration.ofSeconds(1));
        DestinationPolicy policy = new DestinationPolicy(rules, Policies.fixed(Map.of()), () -> Set.of(8080),
                Set.of(ip("10.1.2.3")));
        assertThat(failure(policy, "http://10.1.2.3:8080/q/metrics").getMessage()).contains("own port 8080");
        assertThat(allowed(policy, "http://10.1.2.3:5432/").address()).isEqualTo(ip("10.1.2.3"));
        assertThat(allowed(policy, "http://10.9.9.9:8080/").address()).isEqualTo(ip("10.9.9.9"));
    }

    @Test
    void allowedHostsAndRangesOpenExceptionsAndDeniedRangesWinOverEverything() throws Exception {
        DestinationPolicy.Resolver dns = Policies.fixed(Map.of(
                "billing.svc.cluster.local", List.of(ip("10.0.0.5")),
                "other.test", List.of(ip("10.0.0.5"))));
        DestinationRules rules = DestinationRules.defaults()
                .withAllowed(List.of("*.svc.cluster.local", "Metadata.Test"), List.of("10.1.0.0/16", "fd00:1::/64"))
                .withDenied(List.of("93.184.216.0/24", "10.1.9.9"));
        DestinationPolicy policy = new DestinationPolicy(rules, dns, Set::of, Set.of());
        assertThat(allowed(policy, "http://billing.svc.cluster.local/").address()).isEqualTo(ip("10.0.0.5"));
        assertThat(failure(policy, "http://other.test/")).isInstanceOf(DestinationDenied.class);
        assertThat(allowed(policy, "http://10.1.2.3/").address()).isEqualTo(ip("10.1.2.3"));
        assertThat(allowed(policy, "http://[fd00:1::7]/").address()).isEqualTo(ip("fd00:1::7"));
        assertThat(failure(policy, "http://10.2.0.1/")).isInstanceOf(DestinationDenied.class);
        assertThat(failure(policy, "http://10.1.9.9/").getMessage()).contains("denied range 10.1.9.9");
        assertThat(failure(policy, "http://93.184.216.34/").getMessage()).contains("denied-cidrs");
        assertThat(failure(policy, "http://[::ffff:93.184.216.34]/")).isInstanceOf(DestinationDenied.class);
    }

    @Test
    void malformedRangesAreRefusedNamingTheProperty() {
        for (String bad : new String[] {"10.0.0.0/33", "nonsense", "10.0.0/8", "example.com", "::1/129", "1.2.3.4/x"}) {
            assertThatThrownBy(() -> DestinationRules.defaults().withAllowed(List.of(), List.of(bad)))
                    .as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("harmonia.http.destinations.allowed-cidrs").hasMessageContaining(bad);
        }
    }

    @Test
    void userInfoIsRefusedWithoutRepeatingIt() {
        for (String url : new String[] {"http://admin:s3cret@example.com/", "https://s3cret@example.com",
                "http://admin:s3cret@127.0.0.1:8080/q/metrics", "http://admin:s3cret@[::1]/"}) {
            assertThatThrownBy(() -> HttpTarget.parse(url)).as(url).isInstanceOf(HttpTarget.InvalidTarget.class)
                    .hasMessageContaining("user info").hasMessageNotContaining("s3cret");
        }
        HttpTarget base = HttpTarget.parse("http://example.com/a");
        assertThatThrownBy(() -> base.resolve("http://u:s3cret@example.org/")).hasMessageContaining("user info");
    }

    @Test
    void targetsAreCanonicalAndRedirectLocationsResolveAgainstThem() {
        HttpTarget t = HttpTarget.parse("HTTP://Example.COM/a/b?x=1#frag");
        assertThat(t.url()).isEqualTo("http://example.com/a/b?x=1");
        assertThat(t.origin()).isEqualTo("http://example.com:80");
        assertThat(HttpTarget.parse("http://2130706433:81").url()).isEqualTo("http://127.0.0.1:81/");
        assertThat(HttpTarget.parse("https://[::FFFF:127.0.0.1]/").host()).isEqualTo("[::ffff:127.0.0.1]");
        assertThat(t.resolve("/c").url()).isEqualTo("http://example.com/c");
        assertThat(t.resolve("c?y=2").url()).isEqualTo("http://example.com/a/c?y=2");
        assertThat(t.resolve("https://other.example/").origin()).isEqualTo("https://other.example:443");
        assertThatThrownBy(() -> t.resolve("ftp://example.com/")).hasMessageContaining("http or https");
        assertThatThrownBy(() -> HttpTarget.parse("http://256.256.256.256/")).hasMessageContaining("IPv4");
        assertThatThrownBy(() -> HttpTarget.parse("http://example.com:0/")).hasMessageContaining("port");
    }
}
