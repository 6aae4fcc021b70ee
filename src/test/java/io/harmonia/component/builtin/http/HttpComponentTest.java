package io.harmonia.component.builtin.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harmonia.component.TaskInvocation;
import io.harmonia.component.TaskResult;
import io.harmonia.domain.definition.ErrorTypes;
import io.harmonia.net.Policies;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.mutiny.core.Vertx;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HttpComponentTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int LIMIT = 4096;

    /** Paths whose connection the server saw closed. */
    private static final Set<String> CLOSED = ConcurrentHashMap.newKeySet();

    private static Vertx vertx;
    private static HttpServer server;
    private static String base;
    private static HttpComponent http;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.getDelegate().createHttpServer().requestHandler(HttpComponentTest::handle);
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        base = "http://127.0.0.1:" + server.actualPort();
        http = new HttpComponent(vertx, LIMIT, Policies.loopbackAllowed(vertx.getDelegate()));
    }

    @AfterAll
    static void stop() {
        if (http != null) {
            http.close();
        }
        if (vertx != null) {
            vertx.closeAndAwait();
        }
    }

    private static void handle(HttpServerRequest req) {
        String path = req.path();
        switch (path) {
            case "/json" -> req.response()
                    .putHeader("content-type", "application/json; charset=utf-8")
                    .putHeader("x-multi", (Iterable<String>) java.util.List.of("a", "b"))
                    .end("{\"hello\":\"world\",\"n\":1,\"query\":\"" + req.query() + "\"}");
            case "/problem" -> req.response()
                    .putHeader("content-type", "application/problem+json")
                    .end("{\"title\":\"fine\"}");
            case "/echo" -> req.body().onSuccess(body -> req.response()
                    .putHeader("content-type",
                            req.getHeader("content-type") == null ? "text/plain" : req.getHeader("content-type"))
                    .putHeader("x-method", req.method().name())
                    .putHeader("x-token", String.valueOf(req.getHeader("x-token")))
                    .end(body));
            case "/text" -> req.response().putHeader("content-type", "text/plain; charset=utf-8").end("héllo");
            case "/bad-json" -> req.response().putHeader("content-type", "application/json").end("not json {");
            case "/empty" -> req.response().setStatusCode(204).end();
            case "/redirect" -> req.response().setStatusCode(302).putHeader("location", "/text").end();
            case "/404" -> req.response().setStatusCode(404).putHeader("content-type", "text/plain")
                    .end("no such thing " + "x".repeat(2000));
            case "/503" -> req.response().setStatusCode(503).end("try later");
            case "/500-big" -> req.response().setStatusCode(500).putHeader("content-type", "text/html")
                    .end("<html>" + "e".repeat(LIMIT * 3) + "</html>");
            case "/hang" -> {
                // never answers
            }
            case "/big" -> req.response().putHeader("content-type", "text/plain").end("y".repeat(LIMIT + 1));
            case "/big-chunked" -> {
                var response = req.response().setChunked(true).putHeader("content-type", "text/plain");
                for (int i = 0; i < 20; i++) {
                    response.write(Buffer.buffer("z".repeat(1000)));
                }
                response.end();
            }
            case "/endless", "/trickle" -> {
                // never ends: a steady stream (/endless) or a byte now and then (/trickle)
                var response = req.response().setChunked(true).putHeader("content-type", "text/plain");
                boolean endless = path.equals("/endless");
                long timer = vertx.getDelegate().setPeriodic(endless ? 5 : 50, id -> {
                    if (!response.closed()) {
                        response.write(endless ? "w".repeat(512) : "t");
                    }
                });
                req.connection().closeHandler(ignored -> {
                    vertx.getDelegate().cancelTimer(timer);
                    CLOSED.add(path);
                });
            }
            case "/exact" -> req.response().putHeader("content-type", "text/plain").end("e".repeat(LIMIT));
            default -> req.response().setStatusCode(500).end("unexpected path " + path);
        }
    }

    private static TaskResult call(String input) throws Exception {
        return call("request", JSON.readTree(input));
    }

    private static TaskResult call(String action, JsonNode input) {
        TaskInvocation invocation =
                new TaskInvocation("e1", "wf", "t1", 1, 1, action, input, Instant.now(), null);
        return http.invoke(invocation).await().atMost(Duration.ofSeconds(20));
    }

    private static JsonNode output(TaskResult result) {
        assertThat(result).isInstanceOf(TaskResult.Success.class);
        return ((TaskResult.Success) result).output();
    }

    private static TaskResult.Failure failure(TaskResult result) {
        assertThat(result).isInstanceOf(TaskResult.Failure.class);
        return (TaskResult.Failure) result;
    }

    @Test
    void getParsesJsonAndCollectsHeaders() throws Exception {
        JsonNode out = output(call("{\"url\":\"" + base + "/json\",\"query\":{\"a\":1,\"b\":[\"x\",\"y\"]}}"));
        assertThat(out.get("status").intValue()).isEqualTo(200);
        assertThat(out.get("body").get("hello").textValue()).isEqualTo("world");
        assertThat(out.get("body").get("n").intValue()).isEqualTo(1);
        assertThat(out.get("body").get("query").textValue()).isEqualTo("a=1&b=x&b=y");
        assertThat(out.get("headers").get("content-type").textValue()).isEqualTo("application/json; charset=utf-8");
        assertThat(out.get("headers").get("x-multi").textValue()).isEqualTo("a, b");
    }

    @Test
    void plusJsonContentTypeIsParsed() throws Exception {
        JsonNode out = output(call("{\"url\":\"" + base + "/problem\"}"));
        assertThat(out.get("body").get("title").textValue()).isEqualTo("fine");
    }

    @Test
    void postSendsJsonBody() throws Exception {
        JsonNode out = output(call("{\"method\":\"post\",\"url\":\"" + base + "/echo\","
                + "\"headers\":{\"X-Token\":\"abc\"},\"body\":{\"id\":7,\"tags\":[\"a\"]}}"));
        assertThat(out.get("status").intValue()).isEqualTo(200);
        assertThat(out.get("headers").get("x-method").textValue()).isEqualTo("POST");
        assertThat(out.get("headers").get("x-token").textValue()).isEqualTo("abc");
        assertThat(out.get("headers").get("content-type").textValue()).isEqualTo("application/json");
        assertThat(out.get("body")).isEqualTo(JSON.readTree("{\"id\":7,\"tags\":[\"a\"]}"));
    }

    @Test
    void arrayBodyIsSentAsJson() throws Exception {
        JsonNode out = output(call("{\"method\":\"PUT\",\"url\":\"" + base + "/echo\",\"body\":[1,2]}"));
        assertThat(out.get("headers").get("x-method").textValue()).isEqualTo("PUT");
        assertThat(out.get("body")).isEqualTo(JSON.readTree("[1,2]"));
    }

    @Test
    void stringBodyIsSentAsText() throws Exception {
        JsonNode out = output(call("{\"method\":\"POST\",\"url\":\"" + base + "/echo\",\"body\":\"plain words\"}"));
        assertThat(out.get("headers").get("content-type").textValue()).startsWith("text/plain");
        assertThat(out.get("body").textValue()).isEqualTo("plain words");
    }

    @Test
    void explicitContentTypeWins() throws Exception {
        JsonNode out = output(call("{\"method\":\"POST\",\"url\":\"" + base + "/echo\","
                + "\"headers\":{\"Content-Type\":\"application/vnd.thing+json\"},\"body\":{\"a\":1}}"));
        assertThat(out.get("headers").get("content-type").textValue()).isEqualTo("application/vnd.thing+json");
        assertThat(out.get("body").get("a").intValue()).isEqualTo(1);
    }

    @Test
    void formBodyIsUrlEncoded() throws Exception {
        JsonNode out = output(call("{\"method\":\"POST\",\"url\":\"" + base + "/echo\","
                + "\"headers\":{\"content-type\":\"application/x-www-form-urlencoded\"},"
                + "\"body\":{\"a\":\"x y\",\"b\":2}}"));
        assertThat(out.get("body").textValue()).isEqualTo("a=x+y&b=2");
    }

    @Test
    void textBodyIsReturnedAsString() throws Exception {
        JsonNode out = output(call("{\"url\":\"" + base + "/text\"}"));
        assertThat(out.get("body").textValue()).isEqualTo("héllo");
    }

    @Test
    void malformedJsonIsReturnedAsString() throws Exception {
        JsonNode out = output(call("{\"url\":\"" + base + "/bad-json\"}"));
        assertThat(out.get("body").isTextual()).isTrue();
        assertThat(out.get("body").textValue()).isEqualTo("not json {");
    }

    @Test
    void emptyBodyIsNull() throws Exception {
        JsonNode out = output(call("{\"method\":\"DELETE\",\"url\":\"" + base + "/empty\"}"));
        assertThat(out.get("status").intValue()).isEqualTo(204);
        assertThat(out.get("body").isNull()).isTrue();
    }

    @Test
    void aRedirectIsTheOutputWhenRedirectsAreNotFollowed() throws Exception {
        JsonNode out = output(call("{\"url\":\"" + base + "/redirect\"}"));
        assertThat(out.get("status").intValue()).isEqualTo(302);
        assertThat(out.get("headers").get("location").textValue()).isEqualTo("/text");
    }

    @Test
    void notFoundIsANonRetriableClientError() throws Exception {
        TaskResult.Failure f = failure(call("{\"url\":\"" + base + "/404\"}"));
        assertThat(f.errorType()).isEqualTo(ErrorTypes.CLIENT_ERROR);
        assertThat(f.retriable()).isFalse();
        assertThat(f.message()).contains("GET", base + "/404", "404", "no such thing");
        assertThat(f.message().length()).isLessThan(700);
    }

    @Test
    void serviceUnavailableIsARetriableServerError() throws Exception {
        TaskResult.Failure f = failure(call("{\"method\":\"POST\",\"url\":\"" + base + "/503\",\"body\":{}}"));
        assertThat(f.errorType()).isEqualTo(ErrorTypes.SERVER_ERROR);
        assertThat(f.retriable()).isTrue();
        assertThat(f.message()).contains("POST", "503", "try later");
    }

    @Test
    void hugeErrorPageIsStillAnErrorOfItsStatus() throws Exception {
        TaskResult.Failure f = failure(call("{\"url\":\"" + base + "/500-big\"}"));
        assertThat(f.errorType()).isEqualTo(ErrorTypes.SERVER_ERROR);
        assertThat(f.retriable()).isTrue();
        assertThat(f.message()).contains("500", "<html>eee").endsWith("...");
        assertThat(f.message().length()).isLessThan(700);
    }

    @Test
    void headIgnoresTheAnnouncedBodySize() throws Exception {
        JsonNode out = output(call("{\"method\":\"HEAD\",\"url\":\"" + base + "/big\"}"));
        assertThat(out.get("status").intValue()).isEqualTo(200);
        assertThat(out.get("body").isNull()).isTrue();
    }

    @Test
    void connectionRefusedIsARetriableConnectionError() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        TaskResult.Failure f = failure(call("{\"url\":\"http://127.0.0.1:" + closedPort + "/x\"}"));
        assertThat(f.errorType()).isEqualTo(ErrorTypes.CONNECTION_ERROR);
        assertThat(f.retriable()).isTrue();
    }

    @Test
    void unknownHostIsARetriableConnectionError() throws Exception {
        TaskResult.Failure f = failure(call("{\"url\":\"http://no-such-host.invalid/x\",\"timeout_ms\":5000}"));
        assertThat(f.errorType()).isIn(ErrorTypes.CONNECTION_ERROR, ErrorTypes.TIMEOUT);
        assertThat(f.retriable()).isTrue();
    }

    @Test
    void serverThatNeverAnswersTimesOut() throws Exception {
        long start = System.nanoTime();
        TaskResult.Failure f = failure(call("{\"url\":\"" + base + "/hang\",\"timeout_ms\":200}"));
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(f.errorType()).isEqualTo(ErrorTypes.TIMEOUT);
        assertThat(f.retriable()).isTrue();
        assertThat(f.message()).contains("200 ms");
        assertThat(elapsedMs).isBetween(150L, 5_000L);
    }

    @Test
    void missingUrlIsAValidationError() throws Exception {
        TaskResult.Failure f = failure(call("{\"method\":\"GET\"}"));
        assertThat(f.errorType()).isEqualTo(ErrorTypes.VALIDATION_ERROR);
        assertThat(f.retriable()).isFalse();
        assertThat(f.message()).contains("url");
    }

    @Test
    void badInputsAreValidationErrors() throws Exception {
        for (String input : new String[] {
                "{\"url\":\"" + base + "/json\",\"method\":\"FETCH\"}",
                "{\"url\":\"ftp://example.com/x\"}",
                "{\"url\":\"not a url\"}",
                "{\"url\":\"/relative/path\"}",
                "{\"url\":42}",
                "{\"url\":\"" + base + "/json\",\"headers\":{\"x\":{\"a\":1}}}",
                "{\"url\":\"" + base + "/json\",\"headers\":{\"bad name\":\"v\"}}",
                "{\"url\":\"" + base + "/json\",\"headers\":{\"x\":\"a\\r\\nInjected: 1\"}}",
                "{\"url\":\"" + base + "/json\",\"headers\":[]}",
                "{\"url\":\"" + base + "/json\",\"timeout_ms\":-1}",
                "{\"url\":\"" + base + "/json\",\"timeout_ms\":\"soon\"}",
                "\"just a string\"",
        }) {
            TaskResult.Failure f = failure(call(input));
            assertThat(f.errorType()).as(input).isEqualTo(ErrorTypes.VALIDATION_ERROR);
            assertThat(f.retriable()).as(input).isFalse();
        }
        TaskResult.Failure unknownAction = failure(call("download", JSON.readTree("{\"url\":\"" + base + "\"}")));
        assertThat(unknownAction.errorType()).isEqualTo(ErrorTypes.VALIDATION_ERROR);
        assertThat(unknownAction.message()).contains("'download'", "[request]");
    }

    @Test
    void oversizeBodyIsPayloadTooLarge() throws Exception {
        for (String path : new String[] {"/big", "/big-chunked"}) {
            TaskResult.Failure f = failure(call("{\"url\":\"" + base + path + "\"}"));
            assertThat(f.errorType()).as(path).isEqualTo(ErrorTypes.PAYLOAD_TOO_LARGE);
            assertThat(f.retriable()).as(path).isFalse();
            assertThat(f.message()).as(path).contains(String.valueOf(LIMIT));
        }
        // exactly at the limit is fine
        JsonNode out = output(call("{\"url\":\"" + base + "/exact\"}"));
        assertThat(out.get("body").textValue()).hasSize(LIMIT);
        // and the client is still usable afterwards
        assertThat(output(call("{\"url\":\"" + base + "/text\"}")).get("status").intValue()).isEqualTo(200);
    }

    @Test
    void endlessBodyIsCutOffAndItsConnectionClosed() throws Exception {
        TaskResult.Failure f = failure(call("{\"url\":\"" + base + "/endless\"}"));
        assertThat(f.errorType()).isEqualTo(ErrorTypes.PAYLOAD_TOO_LARGE);
        await().atMost(Duration.ofSeconds(5)).until(() -> CLOSED.contains("/endless"));
    }

    @Test
    void bodyStillTricklingInAtTheTimeoutTimesOutAndItsConnectionIsClosed() throws Exception {
        long start = System.nanoTime();
        TaskResult.Failure f = failure(call("{\"url\":\"" + base + "/trickle\",\"timeout_ms\":300}"));
        assertThat(f.errorType()).isEqualTo(ErrorTypes.TIMEOUT);
        assertThat(f.retriable()).isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(250L, 5_000L);
        await().atMost(Duration.ofSeconds(5)).until(() -> CLOSED.contains("/trickle"));
    }

    @Test
    void describesItself() {
        assertThat(http.name()).isEqualTo("http");
        assertThat(http.actions()).containsExactly("request");
    }
}
