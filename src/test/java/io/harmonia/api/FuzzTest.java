package io.harmonia.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A bounded fuzz of the REST API: a few thousand generated bad requests over every endpoint (wrong types, nulls,
 * huge and deep values, NUL and invalid UTF-8, invalid ids, abusive headers and query strings). No answer may be a
 * 5xx, and every error must be problem+json whose type and status agree, with a detail for users. The seed is fixed
 * and printed; {@code -Dfuzz.seed=N} replays another run, {@code -Dfuzz.requests=N} changes the count.
 */
@QuarkusTest
class FuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SEED = Long.getLong("fuzz.seed", 20261126L);
    private static final int REQUESTS = Integer.getInteger("fuzz.requests", 4000);
    private static final long BUDGET_MS = 45_000;
    /** Types more specific than their status, each with one status. */
    private static final Map<String, Integer> SPECIFIC = Map.of("malformed-json", 400, "invalid-state", 409,
            "concurrent-change", 409, "overloaded", 429);

    private Random random;
    private String workflowId;
    private String executionId;

    /** One generated request, as it is printed when it fails. */
    private record Request(String method, String target, List<String> headers, byte[] body) {
        String describe() {
            String text = new String(body, StandardCharsets.UTF_8);
            return method + " " + shorten(target) + " " + headers.stream().map(FuzzTest::shorten).toList()
                    + " body(" + body.length + ")=" + shorten(text);
        }
    }

    @Test
    void noGeneratedBadRequestGetsA5xxAndEveryErrorIsProblemJson() throws Exception {
        System.out.println("FuzzTest seed " + SEED + " (replay with -Dfuzz.seed=" + SEED + ")");
        random = new Random(SEED);
        workflowId = Api.createWorkflow(WorkflowApiTest.SEED.replace("example_workflow", "fuzz_target"));
        executionId = Api.start(workflowId, "{'n': 1}".replace('\'', '"'));
        List<String> failures = new ArrayList<>();
        List<String> created = new ArrayList<>();
        long started = System.currentTimeMillis();
        int sent = 0;
        for (; sent < REQUESTS && System.currentTimeMillis() - started < BUDGET_MS; sent++) {
            Request request = next();
            RawHttp.Answer answer;
            try {
                answer = RawHttp.send(bytes(request));
            } catch (Exception e) {
                failures.add("#" + sent + " no answer (" + e + "): " + request.describe());
                continue;
            }
            String location = answer.header("location");
            if (answer.status() == 201 && location != null && location.contains("/api/workflows/")) {
                created.add(location.substring(location.indexOf("/api/workflows/")));
            }
            String why = judge(request, answer);
            if (why != null) {
                failures.add("#" + sent + " " + why + ": " + request.describe() + " -> " + answer.status() + " "
                        + shorten(answer.body()));
            }
        }
        System.out.println("FuzzTest sent " + sent + " requests in " + (System.currentTimeMillis() - started)
                + " ms, " + failures.size() + " failures");
        java.util.Set<String> kinds = new java.util.HashSet<>();
        // leave no odd workflows in the lists other tests read
        created.forEach(path -> io.restassured.RestAssured.given().delete(path));
        failures.stream().filter(f -> kinds.add(f.replaceFirst("^#\\d+ ", "").replaceAll("[:?].*", "")
                + f.replaceFirst(".*?: (\\S+ /[^/ ?]*/?[^/ ?]*).*", "$1"))).limit(60).forEach(System.out::println);
        assertThat(sent).isGreaterThanOrEqualTo(Math.min(REQUESTS, 1000));
        assertThat(failures).as("fuzz failures with seed " + SEED).isEmpty();
    }

    /** Why an answer is wrong, or null. */
    private static String judge(Request request, RawHttp.Answer answer) {
        int status = answer.status();
        if (status < 100) {
            return "no status line";
        }
        if (status >= 500) {
            return "server error " + status;
        }
        if (status < 400 || request.method().equals("HEAD")) {
            return null;
        }
        if (status == 400 && answer.body().isEmpty() && notHttp(request)) {
            // refused by the HTTP layer before any Harmonia code (README: "Requests that are not HTTP")
            return null;
        }
        String type = answer.header("content-type");
        if (type == null || !type.startsWith("application/problem+json")) {
            return "error without problem+json (content-type " + type + ")";
        }
        JsonNode body;
        try {
            body = JSON.readTree(answer.body());
        } catch (Exception e) {
            return "problem body is not JSON";
        }
        if (body.path("status").asInt() != status) {
            return "status field " + body.path("status") + " differs from " + status;
        }
        String name = body.path("type").asText().replaceFirst(".*/", "");
        Integer specific = SPECIFIC.get(name);
        if (specific == null ? !name.equals(ProblemTypes.of(status)) : specific != status) {
            return "type " + name + " does not go with status " + status;
        }
        String detail = body.path("detail").asText("");
        if (detail.isBlank() || detail.contains("com.fasterxml") || detail.contains("io.vertx")
                || detail.contains("Exception") || detail.contains("`")) {
            return "detail not for users: " + shorten(detail);
        }
        return null;
    }

    /**
     * A request the HTTP layer refuses itself, with an empty 400: a request target that is not a valid URI (Quarkus
     * checks it with java.net.URI before any route) or a Content-Length that is not a number (Netty's decoder).
     */
    private static boolean notHttp(Request request) {
        for (String h : request.headers()) {
            if (h.toLowerCase().startsWith("content-length:") && !h.substring(15).trim().matches("\\d+")) {
                return true;
            }
        }
        try {
            new java.net.URI(request.target());
            return false;
        } catch (java.net.URISyntaxException e) {
            return true;
        }
    }

    // ---------------------------------------------------------------- requests

    private Request next() {
        List<String> headers = new ArrayList<>();
        String method;
        String target;
        byte[] body = new byte[0];
        switch (random.nextInt(12)) {
            case 0 -> {
                method = pick("POST", "PUT");
                target = method.equals("POST") ? "/api/workflows" : "/api/workflows/" + id();
                body = workflowBody();
                headers.add("Content-Type: " + contentType());
            }
            case 1 -> {
                method = pick("GET", "DELETE", "PATCH", "HEAD", "OPTIONS");
                target = "/api/workflows/" + id() + maybeQuery();
            }
            case 2 -> {
                method = "GET";
                target = pick("/api/workflows", "/api/executions", "/api/subscriptions") + query();
            }
            case 3, 4 -> {
                method = "POST";
                target = "/api/executions";
                body = startBody();
                headers.add("Content-Type: " + contentType());
                if (random.nextBoolean()) {
                    headers.add("Idempotency-Key: " + headerValue());
                }
            }
            case 5 -> {
                method = pick("GET", "POST", "PUT", "DELETE");
                target = "/api/executions/" + id() + pick("", "/cancel", "/pause", "/resume", "/terminate",
                        "/suspend", "/events", "/events" + query(), "/nothing");
                if (method.equals("POST") && random.nextBoolean()) {
                    body = randomJson(2).getBytes(StandardCharsets.UTF_8);
                    headers.add("Content-Type: " + contentType());
                }
            }
            case 6 -> {
                method = pick("POST", "GET", "DELETE");
                target = "/api/subscriptions" + (random.nextBoolean() ? "/" + id() : "");
                if (method.equals("POST")) {
                    body = mangle(randomJson(3).getBytes(StandardCharsets.UTF_8));
                    headers.add("Content-Type: " + contentType());
                }
            }
            case 7 -> {
                // the SSE entrance, with a bad resume point or filter only (a good one would stream)
                method = "GET";
                target = "/events/executions" + pick("", "/" + id()) + "?" + pick("after", "status", "workflow_id",
                        "types") + "=" + pick("-1", "abc", "%00", "%ZZ", "9".repeat(30), "BOGUS", "%C3%28");
                headers.add("Accept: text/event-stream");
            }
            case 8 -> {
                method = pick("GET", "POST", "TRACE", "BREW", "DELETE");
                target = pick("/", "/api", "/api/", "/nothing", "/api/workflows/" + id() + "/x/y", "/api/executions/"
                        + id() + "/events/extra", "/%2e%2e/%2e%2e/etc/passwd", "/api/%00", "/api/%FF%FE",
                        "/" + "a".repeat(9000), "/api/workflows?" + "q=1&".repeat(2000));
            }
            case 9 -> {
                method = "POST";
                target = pick("/api/workflows", "/api/executions");
                body = mangle(randomJson(4).getBytes(StandardCharsets.UTF_8));
                headers.add("Content-Type: application/json");
            }
            case 10 -> {
                // abusive headers
                method = pick("GET", "POST");
                target = pick("/api/workflows", "/api/executions", "/api/executions/" + executionId);
                headers.add(pick("Accept: " + pick("image/png", "*/*;q=foo", "application/xml", ""),
                        "Content-Type: " + contentType(), "X-Big: " + "b".repeat(40_000),
                        "Idempotency-Key: " + "k".repeat(300), "Content-Length: abc", "Last-Event-ID: -5",
                        "Accept-Charset: " + headerValue(), "Cookie: " + "c=1; ".repeat(500)));
                if (method.equals("POST") && !headers.get(0).startsWith("Content-Length")) {
                    body = startBody();
                }
            }
            default -> {
                method = "GET";
                target = pick("/api/workflows/", "/api/executions/") + pick(workflowId, executionId) + pick("",
                        "?version=" + pick("0", "-1", "x", "99999999999", "%00"));
            }
        }
        return new Request(method, target, headers, body);
    }

    private static byte[] bytes(Request r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringBuilder head = new StringBuilder(r.method() + " " + r.target() + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Connection: close\r\n");
        boolean hasLength = false;
        for (String h : r.headers()) {
            head.append(h).append("\r\n");
            hasLength |= h.toLowerCase().startsWith("content-length");
        }
        if (!hasLength && (r.body().length > 0 || r.method().equals("POST") || r.method().equals("PUT"))) {
            head.append("Content-Length: ").append(r.body().length).append("\r\n");
        }
        head.append("\r\n");
        out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        out.writeBytes(r.body());
        return out.toByteArray();
    }

    private String id() {
        return pick(UUID.randomUUID().toString(), workflowId, executionId, "not-a-uuid", "%00", "%C3%28",
                "12345678-1234-1234-1234-1234567890123", "x".repeat(random.nextInt(300)), "%F0%9F%9A%80", "..",
                "-1", "null", "%20", UUID.randomUUID().toString().toUpperCase());
    }

    private String maybeQuery() {
        return random.nextBoolean() ? query() : "";
    }

    private String query() {
        StringBuilder q = new StringBuilder("?");
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            q.append(pick("limit", "offset", "cursor", "filter", "status", "workflow_id", "after", "version", "x"))
                    .append('=').append(pick("-1", "0", "1", "501", "99999999999", "1e3", "abc", "%00", "%ZZ",
                            "%C3%28", "%FF", "a%25", "\\", "_%", "RUNNING", "running", workflowId,
                            "f".repeat(random.nextInt(400)), "MTIzLm5vdC1hLXV1aWQ", "%F0%9F%9A%80", ""))
                    .append('&');
        }
        return q.toString();
    }

    private String contentType() {
        return pick("application/json", "application/json", "application/json", "text/plain", "application/xml",
                "application/json; charset=ISO-8859-1", "multipart/form-data; boundary=x", "garbage", "");
    }

    private String headerValue() {
        return pick("k-" + random.nextInt(), "", " ", "x".repeat(256), "caf\u00e9", "k\tv", "k-" + random.nextInt(3));
    }

    private byte[] workflowBody() {
        String valid = WorkflowApiTest.SEED.replace('\'', '"');
        return switch (random.nextInt(6)) {
            case 0 -> mangle(valid.getBytes(StandardCharsets.UTF_8));
            case 1 -> valid.replace("\"example_workflow\"", randomJson(2)).getBytes(StandardCharsets.UTF_8);
            case 2 -> valid.replace("{ \"value\": \"${input.n}\" }", randomJson(3)).getBytes(StandardCharsets.UTF_8);
            case 3 -> valid.replace("\"type\": \"object\"", "\"$ref\": " + pick("\"#\"", "\"#/x\"",
                    "\"http://x/y\"", "1", "\"#/$defs/a\", \"$defs\": {\"a\": {\"$ref\": \"#\"}}"))
                    .getBytes(StandardCharsets.UTF_8);
            case 4 -> valid.replace("\"core\"", randomJson(1)).getBytes(StandardCharsets.UTF_8);
            default -> randomJson(4).getBytes(StandardCharsets.UTF_8);
        };
    }

    private byte[] startBody() {
        String input = randomJson(3);
        String wf = pick("\"" + workflowId + "\"", "\"" + UUID.randomUUID() + "\"", randomJson(1), "null");
        String version = pick("", ", \"version\": " + randomJson(1), ", \"version\": 99999999999",
                ", \"version\": 1");
        String body = "{\"workflow_id\": " + wf + ", \"input\": " + input + version
                + pick("", ", \"extra\": 1", ", \"input\": 2") + "}";
        return random.nextInt(5) == 0 ? mangle(body.getBytes(StandardCharsets.UTF_8))
                : body.getBytes(StandardCharsets.UTF_8);
    }

    /** A JSON value (as text), possibly huge, deep, or full of awkward characters. */
    private String randomJson(int depth) {
        int kind = random.nextInt(depth <= 0 ? 8 : 13);
        return switch (kind) {
            case 0 -> "null";
            case 1 -> pick("true", "false");
            case 2 -> pick("0", "-1", "1.5", "1e400", "-1e-400", "99999999999999999999999", "1" + "0".repeat(1200));
            case 3 -> "\"" + pick("", "x", "\\u0000", "a\\u0000b", "\\ud800", "\\udc00x", "\u00e9\u4e2d",
                    "\\\"quoted\\\"", "${input.n}", "${", "${1/0}", "\\n\\t") + "\"";
            case 4 -> "\"" + "s".repeat(random.nextInt(3) == 0 ? 200_000 : random.nextInt(3000)) + "\"";
            case 5 -> "[]";
            case 6 -> "{}";
            case 7 -> pick("\"" + workflowId + "\"", "\"" + UUID.randomUUID() + "\"");
            case 8 -> "[".repeat(1100) + "]".repeat(1100);
            case 9 -> random.nextBoolean() ? "{\"a\":".repeat(1100) + "1" + "}".repeat(1100)
                    : "{\"a\":".repeat(60) + "1" + "}".repeat(60);
            case 10 -> {
                StringBuilder b = new StringBuilder("[");
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    b.append(i > 0 ? "," : "").append(randomJson(depth - 1));
                }
                yield b.append(']').toString();
            }
            default -> {
                StringBuilder b = new StringBuilder("{");
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    b.append(i > 0 ? "," : "").append('"')
                            .append(pick("n", "name", "tasks", "input", "k\\u0000", "\\ud800", "", "$ref", "id"))
                            .append(i).append("\":").append(randomJson(depth - 1));
                }
                yield b.append('}').toString();
            }
        };
    }

    /** Breaks a body: truncation, invalid UTF-8, raw NUL and control bytes, a stray byte. */
    private byte[] mangle(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int cut = body.length == 0 ? 0 : random.nextInt(body.length + 1);
        switch (random.nextInt(5)) {
            case 0 -> out.write(body, 0, cut);
            case 1 -> {
                out.write(body, 0, cut);
                out.writeBytes(new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE});
                out.write(body, cut, body.length - cut);
            }
            case 2 -> {
                out.write(body, 0, cut);
                out.write(0);
                out.write(body, cut, body.length - cut);
            }
            case 3 -> {
                out.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
                out.writeBytes(body);
            }
            default -> {
                out.writeBytes(body);
                out.writeBytes("}}],garbage".getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }

    @SafeVarargs
    private <T> T pick(T... options) {
        return options[random.nextInt(options.length)];
    }

    static String shorten(String s) {
        String t = s.replaceAll("[\\p{Cntrl}]", "?");
        return t.length() > 160 ? t.substring(0, 160) + "...(" + t.length() + ")" : t;
    }
}
