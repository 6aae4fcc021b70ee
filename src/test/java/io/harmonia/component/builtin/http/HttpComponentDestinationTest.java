package io.harmonia.component.builtin.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harmonia.component.TaskInvocation;
import io.harmonia.component.TaskResult;
import io.harmonia.domain.definition.ErrorTypes;
import io.harmonia.net.DestinationPolicy;
import io.harmonia.net.DestinationRules;
import io.harmonia.net.Policies;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.mutiny.core.Vertx;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Where the http component may go: refused destinations never see a request, redirects are checked hop by hop and
 * credentials stay with their origin. Two local servers are two origins (127.0.0.1 on two ports).
 */
class HttpComponentDestinationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Vertx vertx;
    private static HttpServer first;
    private static HttpServer second;
    private static String firstBase;
    private static String secondBase;
    /** Requests each server saw, by "port path". */
    private static final Map<String, AtomicInteger> SEEN = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        first = listen();
        second = listen();
        firstBase = "http://127.0.0.1:" + first.actualPort();
        secondBase = "http://127.0.0.1:" + second.actualPort();
    }

    @AfterAll
    static void stop() {
        vertx.closeAndAwait();
    }

    @BeforeEach
    void forget() {
        SEEN.clear();
    }

    private static HttpServer listen() throws Exception {
        HttpServer server = vertx.getDelegate().createHttpServer();
        server.requestHandler(req -> handle(server, req));
        return server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static void handle(HttpServer server, HttpServerRequest req) {
        SEEN.computeIfAbsent(server.actualPort() + " " + req.path(), k -> new AtomicInteger()).incrementAndGet();
        String to = req.getParam("to");
        switch (req.path()) {
            case "/redirect" -> req.response().setStatusCode(Integer.parseInt(req.getParam("status", "302")))
                    .putHeader("location", to).end();
            case "/loop" -> req.response().setStatusCode(302).putHeader("location", "/loop").end();
            case "/headers" -> req.body().onSuccess(body -> req.response()
                    .putHeader("content-type", "application/json")
                    .end("{\"method\":\"" + req.method().name() + "\",\"body\":\"" + body + "\",\"authorization\":"
                            + quoted(req.getHeader("authorization")) + ",\"cookie\":" + quoted(req.getHeader("cookie"))
                            + ",\"x-api-key\":" + quoted(req.getHeader("x-api-key")) + ",\"x-trace\":"
                            + quoted(req.getHeader("x-trace")) + ",\"host\":" + quoted(req.getHeader("host")) + "}"));
            default -> req.response().putHeader("content-type", "text/plain").end("secret page " + req.path());
        }
    }

    private static String quoted(String value) {
        return value == null ? "null" : "\"" + value + "\"";
    }

    private static int seen(String base, String path) {
        String port = base.substring(base.lastIndexOf(':') + 1);
        AtomicInteger n = SEEN.get(port + " " + path);
        return n == null ? 0 : n.get();
    }

    private static TaskResult call(DestinationPolicy policy, String input) throws Exception {
        HttpComponent http = new HttpComponent(vertx, 1024 * 1024, policy);
        try {
            TaskInvocation invocation = new TaskInvocation("e1", "wf", "t1", 1, 1, "request", JSON.readTree(input),
                    Instant.now(), null);
            return http.invoke(invocation).await().atMost(Duration.ofSeconds(20));
        } finally {
            http.close();
        }
    }

    private static TaskResult.Failure failure(TaskResult result) {
        assertThat(result).isInstanceOf(TaskResult.Failure.class);
        return (TaskResult.Failure) result;
    }

    private static JsonNode output(TaskResult result) {
        assertThat(result).as("%s", result).isInstanceOf(TaskResult.Success.class);
        return ((TaskResult.Success) result).output();
    }

    private static DestinationPolicy defaults() {
        return Policies.of(DestinationRules.defaults(), vertx.getDelegate());
    }

    /** 127.0.0.1 allowed by name (allowed-hosts), so that a hop elsewhere on this host is a refused one. */
    private static DestinationPolicy firstHostOnly(boolean followRedirects, Set<String> sensitive) {
        return Policies.of(DestinationRules.defaults().withAllowed(List.of("127.0.0.1"), List.of())
                .withRedirects(followRedirects, 3, sensitive), vertx.getDelegate());
    }

    @Test
    void loopbackInEveryFormIsRefusedBeforeAnyConnection() throws Exception {
        String port = String.valueOf(first.actualPort());
        for (String url : new String[] {firstBase + "/page", "http://localhost:" + port + "/page",
                "http://[::ffff:127.0.0.1]:" + port + "/page", "http://2130706433:" + port + "/page",
                "http://0.0.0.0:" + port + "/page", "http://127.1:" + port + "/page"}) {
            TaskResult.Failure f = failure(call(defaults(), "{\"url\":\"" + url + "\"}"));
            assertThat(f.errorType()).as(url).isEqualTo(ErrorTypes.CLIENT_ERROR);
            assertThat(f.retriable()).as(url).isFalse();
            assertThat(f.message()).as(url).startsWith("GET " + url + ": destination not allowed by policy: ");
        }
        assertThat(seen(firstBase, "/page")).isZero();
    }

    @Test
    void aRefusedPortSaysTheSameWhetherItIsOpenOrClosed() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        String open = failure(call(defaults(), "{\"url\":\"" + firstBase + "/\"}")).message();
        String shut = failure(call(defaults(), "{\"url\":\"http://127.0.0.1:" + closed + "/\"}")).message();
        assertThat(open.replace(String.valueOf(first.actualPort()), "P"))
                .isEqualTo(shut.replace(String.valueOf(closed), "P"));
    }

    @Test
    void aHostIsConnectedToAtTheAddressThatWasChecked() throws Exception {
        // no real DNS knows this name: the request can only reach the server through the checked address (which
        // remembers the name, as resolvers' answers do: it must not be looked up again)
        InetAddress checked = InetAddress.getByAddress("service.test", new byte[] {127, 0, 0, 1});
        DestinationPolicy policy = new DestinationPolicy(DestinationRules.defaults().withLoopback(true),
                Policies.fixed(Map.of("service.test", List.of(checked))), Set::of, Set.of());
        JsonNode out = output(call(policy, "{\"url\":\"http://service.test:" + first.actualPort() + "/headers\"}"));
        assertThat(out.get("body").get("host").textValue()).isEqualTo("service.test:" + first.actualPort());
    }

    @Test
    void userInfoIsRefusedWithoutRepeatingIt() throws Exception {
        TaskResult.Failure f = failure(call(Policies.loopbackAllowed(vertx.getDelegate()),
                "{\"url\":\"http://admin:s3cret@127.0.0.1:" + first.actualPort() + "/page\"}"));
        assertThat(f.errorType()).isEqualTo(ErrorTypes.VALIDATION_ERROR);
        assertThat(f.message()).contains("user info").doesNotContain("s3cret");
        assertThat(seen(firstBase, "/page")).isZero();
    }

    @Test
    void aRedirectToARefusedDestinationIsRefused() throws Exception {
        String to = "http://localhost:" + second.actualPort() + "/page";
        TaskResult.Failure f = failure(call(firstHostOnly(true, Set.of()),
                "{\"url\":\"" + firstBase + "/redirect?to=" + to + "\"}"));
        assertThat(f.errorType()).isEqualTo(ErrorTypes.CLIENT_ERROR);
        assertThat(f.message()).contains("redirected to GET " + to, "destination not allowed by policy",
                "localhost resolves to an address that is a loopback address");
        assertThat(seen(firstBase, "/redirect")).isEqualTo(1);
        assertThat(seen(secondBase, "/page")).isZero();
    }

    @Test
    void credentialsAreDroppedOnARedirectToAnotherOriginAndKeptOnTheSameOrigin() throws Exception {
        DestinationPolicy policy = Policies.of(DestinationRules.defaults().withLoopback(true)
                .withRedirects(true, 5, Set.of("X-Api-Key")), vertx.getDelegate());
        String headers = "\"headers\":{\"Authorization\":\"Bearer t0ken\",\"Cookie\":\"sid=42\","
                + "\"X-Api-Key\":\"k3y\",\"X-Trace\":\"abc\"}";
        JsonNode other = output(call(policy, "{\"url\":\"" + firstBase + "/redirect?to=" + secondBase
                + "/headers\"," + headers + "}")).get("body");
        assertThat(other.get("authorization").isNull()).isTrue();
        assertThat(other.get("cookie").isNull()).isTrue();
        assertThat(other.get("x-api-key").isNull()).isTrue();
        assertThat(other.get("x-trace").textValue()).isEqualTo("abc");
        assertThat(seen(secondBase, "/headers")).isEqualTo(1);

        JsonNode same = output(call(policy, "{\"url\":\"" + firstBase + "/redirect?to=/headers\"," + headers + "}"))
                .get("body");
        assertThat(same.get("authorization").textValue()).isEqualTo("Bearer t0ken");
        assertThat(same.get("cookie").textValue()).isEqualTo("sid=42");
        assertThat(same.get("x-api-key").textValue()).isEqualTo("k3y");
    }

    @Test
    void redirectsAreNotFollowedByDefault() throws Exception {
        JsonNode out = output(call(firstHostOnly(false, Set.of()),
                "{\"url\":\"" + firstBase + "/redirect?to=" + secondBase + "/headers\","
                        + "\"headers\":{\"Authorization\":\"Bearer t0ken\"}}"));
        assertThat(out.get("status").intValue()).isEqualTo(302);
        assertThat(out.get("headers").get("location").textValue()).isEqualTo(secondBase + "/headers");
        assertThat(seen(secondBase, "/headers")).isZero();
    }

    @Test
    void aSeeOtherAfterAPostIsFollowedWithAGetWithoutTheBody() throws Exception {
        DestinationPolicy policy = Policies.of(DestinationRules.defaults().withLoopback(true)
                .withRedirects(true, 5, Set.of()), vertx.getDelegate());
        JsonNode out = output(call(policy, "{\"method\":\"POST\",\"url\":\"" + firstBase
                + "/redirect?status=303&to=/headers\",\"body\":\"hello\"}")).get("body");
        assertThat(out.get("method").textValue()).isEqualTo("GET");
        assertThat(out.get("body").textValue()).isEmpty();
        JsonNode kept = output(call(policy, "{\"method\":\"POST\",\"url\":\"" + firstBase
                + "/redirect?status=307&to=/headers\",\"body\":\"hello\"}")).get("body");
        assertThat(kept.get("method").textValue()).isEqualTo("POST");
        assertThat(kept.get("body").textValue()).isEqualTo("hello");
    }

    @Test
    void tooManyRedirectsFailTheTask() throws Exception {
        TaskResult.Failure f = failure(call(firstHostOnly(true, Set.of()), "{\"url\":\"" + firstBase + "/loop\"}"));
        assertThat(f.errorType()).isEqualTo(ErrorTypes.CLIENT_ERROR);
        assertThat(f.retriable()).isFalse();
        assertThat(f.message()).contains("redirected more than 3 times", "max-redirects");
        assertThat(seen(firstBase, "/loop")).isEqualTo(4);
    }
}
