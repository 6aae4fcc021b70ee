package io.harmonia.component.builtin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.harmonia.component.Component;
import io.harmonia.component.TaskInvocation;
import io.harmonia.component.TaskResult;
import io.harmonia.domain.definition.ErrorTypes;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Future;
import io.vertx.core.VertxException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.mutiny.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The built-in {@code http} component, action {@code request}: one HTTP call, made without blocking through the
 * Vert.x HTTP client of the application's {@link Vertx}.
 *
 * <p>Input:
 *
 * <pre>{@code
 * {"method": "POST", "url": "https://api.example.com/orders", "headers": {"authorization": "Bearer ..."},
 *  "query": {"page": 2}, "body": {"id": 1}, "timeout_ms": 30000}
 * }</pre>
 *
 * <p>Output: {@code {"status": 200, "headers": {"content-type": "application/json"}, "body": {...}}}: header names
 * in lower case, repeated headers joined with {@code ", "}; the body parsed when the response declares JSON, else a
 * string, null when empty.
 *
 * <p>Errors: 4xx {@code CLIENT_ERROR} (not retriable), 5xx {@code SERVER_ERROR} (retriable), refused / reset /
 * unresolvable host {@code CONNECTION_ERROR} (retriable), no complete response within {@code timeout_ms}
 * {@code TIMEOUT} (retriable), a response body over the size limit {@code PAYLOAD_TOO_LARGE} (not retriable), bad
 * input {@code VALIDATION_ERROR} (not retriable). The returned {@link Uni} never fails.
 *
 * <p>It uses the core Vert.x HTTP client rather than the web client: the web client cannot abort a response whose
 * body is being received (a failing body stream only drains it), so a response over the size limit, or one still
 * trickling in when the timeout fires, would keep its pooled connection busy for as long as the server likes. With
 * the core client the request is reset, which closes that connection.
 */
@ApplicationScoped
public class HttpComponent implements Component {

    public static final String NAME = "http";
    public static final String REQUEST = "request";
    public static final Set<String> ACTIONS = Set.of(REQUEST);

    /** Default limit on the response body: 10 MiB. */
    public static final long DEFAULT_MAX_RESPONSE_BYTES = 10L * 1024 * 1024;

    /** Default {@code timeout_ms}: 30 s. */
    public static final long DEFAULT_TIMEOUT_MS = 30_000;

    /** The methods accepted in {@code method} (case-insensitive). */
    public static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    /** Connections kept per host (HTTP/1.1); further requests to that host wait for one. */
    static final int MAX_CONNECTIONS_PER_HOST = 32;

    static final int EXCERPT_CHARS = 500;

    /** How much of an error response's body is read (for the excerpt): enough for 500 characters of UTF-8. */
    static final int ERROR_BODY_BYTES = EXCERPT_CHARS * 4;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final io.vertx.core.Vertx vertx;
    private final HttpClient client;
    private final long maxResponseBytes;

    /** CDI constructor: the default response size limit. */
    @Inject
    public HttpComponent(Vertx vertx) {
        this(vertx, DEFAULT_MAX_RESPONSE_BYTES);
    }

    /**
     * @param vertx the Vert.x instance the HTTP client runs on
     * @param maxResponseBytes the largest response body accepted, in bytes (1 .. {@link Integer#MAX_VALUE})
     */
    public HttpComponent(Vertx vertx, long maxResponseBytes) {
        if (maxResponseBytes <= 0 || maxResponseBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("maxResponseBytes must be in 1.." + Integer.MAX_VALUE
                    + "; found " + maxResponseBytes);
        }
        this.maxResponseBytes = maxResponseBytes;
        this.vertx = vertx.getDelegate();
        this.client = this.vertx.createHttpClient(
                new HttpClientOptions().setMaxRedirects(10),
                new PoolOptions().setHttp1MaxSize(MAX_CONNECTIONS_PER_HOST));
    }

    @PreDestroy
    void close() {
        client.close();
    }

    public long maxResponseBytes() {
        return maxResponseBytes;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> actions() {
        return ACTIONS;
    }

    @Override
    public Uni<TaskResult> invoke(TaskInvocation invocation) {
        Uni<TaskResult> result;
        try {
            if (!REQUEST.equals(invocation.action())) {
                return Uni.createFrom().item(TaskResult.failure(ErrorTypes.VALIDATION_ERROR,
                        "component '" + NAME + "' has no action '" + invocation.action() + "'; expected one of "
                                + ACTIONS,
                        false));
            }
            RequestSpec spec;
            try {
                spec = RequestSpec.parse(invocation.input());
            } catch (InvalidInput e) {
                return Uni.createFrom().item(
                        TaskResult.failure(ErrorTypes.VALIDATION_ERROR, "http.request: " + e.getMessage(), false));
            }
            RequestOptions options;
            try {
                options = spec.toOptions();
            } catch (RuntimeException e) {
                return Uni.createFrom().item(TaskResult.failure(ErrorTypes.VALIDATION_ERROR,
                        "http.request: cannot build " + spec.describe() + ": " + messageOf(e), false));
            }
            result = Uni.createFrom().emitter(emitter -> new Exchange(spec, options, emitter).start());
        } catch (RuntimeException e) {
            result = Uni.createFrom().item(unexpected(e));
        }
        // A component never fails its Uni: anything that slipped through becomes a result.
        return result.onFailure().recoverWithItem(HttpComponent::unexpected);
    }

    /**
     * One request and its response. Completes its emitter exactly once: with the response, or with the first
     * failure (transport error, timeout, body over the limit), in which case the request is reset so that its
     * connection does not stay busy.
     */
    private final class Exchange {
        private final RequestSpec spec;
        private final RequestOptions options;
        private final UniEmitter<? super TaskResult> emitter;
        private final AtomicBoolean done = new AtomicBoolean();
        private final Buffer body = Buffer.buffer();
        private volatile HttpClientRequest request;
        private volatile long timerId = -1;

        Exchange(RequestSpec spec, RequestOptions options, UniEmitter<? super TaskResult> emitter) {
            this.spec = spec;
            this.options = options;
            this.emitter = emitter;
        }

        void start() {
            emitter.onTermination(this::abort);
            timerId = vertx.setTimer(spec.timeoutMs, id -> finish(TaskResult.failure(ErrorTypes.TIMEOUT,
                    spec.describe() + " timed out after " + spec.timeoutMs + " ms", true)));
            client.request(options).onComplete(created -> {
                if (created.failed()) {
                    finish(fromFailure(spec, created.cause()));
                    return;
                }
                HttpClientRequest req = created.result();
                request = req;
                if (done.get()) {
                    req.reset();
                    return;
                }
                Future<HttpClientResponse> sent =
                        spec.body == null ? req.send() : req.send(Buffer.buffer(spec.body));
                sent.onComplete(received -> {
                    if (received.failed()) {
                        finish(fromFailure(spec, received.cause()));
                    } else {
                        receive(received.result());
                    }
                });
            });
        }

        private void receive(HttpClientResponse response) {
            // After redirects the response belongs to the last request: that is the one to reset.
            request = response.request();
            response.exceptionHandler(error -> finish(fromFailure(spec, error)));
            // An error response is only read for the excerpt in its message: a huge error page is still the
            // CLIENT_ERROR / SERVER_ERROR it says it is, not a PAYLOAD_TOO_LARGE.
            boolean errorStatus = response.statusCode() >= 400;
            long cap = errorStatus ? Math.min(maxResponseBytes, ERROR_BODY_BYTES) : maxResponseBytes;
            String length = response.getHeader("content-length");
            if (!errorStatus && spec.method != HttpMethod.HEAD && length != null
                    && parseLength(length) > maxResponseBytes) {
                finish(tooLarge());
                return;
            }
            response.handler(chunk -> {
                if (done.get()) {
                    return;
                }
                if ((long) body.length() + chunk.length() > cap) {
                    if (errorStatus) {
                        body.appendBuffer(chunk, 0, (int) (cap - body.length()));
                        finish(fromResponse(spec, response, body.getBytes(), true));
                    } else {
                        finish(tooLarge());
                    }
                    return;
                }
                body.appendBuffer(chunk);
            });
            response.endHandler(ignored -> {
                if (done.compareAndSet(false, true)) {
                    cancelTimer();
                    TaskResult result;
                    try {
                        result = fromResponse(spec, response, body.getBytes(), false);
                    } catch (RuntimeException e) {
                        result = unexpected(e);
                    }
                    emitter.complete(result);
                }
            });
        }

        /** Ends the exchange early with a failure: resets the request (closing its connection). */
        private void finish(TaskResult result) {
            if (done.compareAndSet(false, true)) {
                cancelTimer();
                resetRequest();
                emitter.complete(result);
            }
        }

        /** The subscriber went away (cancelled, or after the result): release what is still held. */
        private void abort() {
            if (done.compareAndSet(false, true)) {
                cancelTimer();
                resetRequest();
            }
        }

        private void cancelTimer() {
            long id = timerId;
            if (id >= 0) {
                vertx.cancelTimer(id);
            }
        }

        private void resetRequest() {
            HttpClientRequest req = request;
            if (req != null) {
                try {
                    req.reset();
                } catch (RuntimeException ignored) {
                    // already done
                }
            }
        }

        private TaskResult tooLarge() {
            return TaskResult.failure(ErrorTypes.PAYLOAD_TOO_LARGE,
                    spec.describe() + ": response body exceeds the limit of " + maxResponseBytes + " bytes", false);
        }
    }

    private static long parseLength(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The result for a complete response, or for the start of an error response ({@code truncated}: the rest of
     * its body was not read).
     */
    private static TaskResult fromResponse(RequestSpec spec, HttpClientResponse response, byte[] bytes,
            boolean truncated) {
        int status = response.statusCode();
        String contentType = response.getHeader("content-type");

        ObjectNode headers = JsonNodeFactory.instance.objectNode();
        Map<String, List<String>> grouped = new LinkedHashMap<>();
        for (Map.Entry<String, String> header : response.headers()) {
            grouped.computeIfAbsent(header.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(header.getValue());
        }
        grouped.forEach((name, values) -> headers.put(name, String.join(", ", values)));

        if (status >= 400) {
            String reason = response.statusMessage();
            String message = spec.describe() + " responded " + status
                    + (reason == null || reason.isBlank() ? "" : " " + reason)
                    + excerpt(bytes, contentType, truncated);
            return status >= 500
                    ? TaskResult.failure(ErrorTypes.SERVER_ERROR, message, true)
                    : TaskResult.failure(ErrorTypes.CLIENT_ERROR, message, false);
        }
        ObjectNode output = JsonNodeFactory.instance.objectNode();
        output.put("status", status);
        output.set("headers", headers);
        output.set("body", parseBody(bytes, contentType));
        return TaskResult.success(output);
    }

    private static TaskResult fromFailure(RequestSpec spec, Throwable failure) {
        Throwable timeout = find(failure, TimeoutException.class);
        if (timeout == null) {
            timeout = find(failure, io.netty.channel.ConnectTimeoutException.class);
        }
        if (timeout != null) {
            return TaskResult.failure(ErrorTypes.TIMEOUT,
                    spec.describe() + " timed out after " + spec.timeoutMs + " ms", true);
        }
        Throwable unknownHost = find(failure, UnknownHostException.class);
        if (unknownHost != null) {
            return TaskResult.failure(ErrorTypes.CONNECTION_ERROR,
                    spec.describe() + " failed: cannot resolve host (" + messageOf(unknownHost) + ")", true);
        }
        Throwable refused = find(failure, ConnectException.class);
        if (refused != null) {
            return TaskResult.failure(ErrorTypes.CONNECTION_ERROR,
                    spec.describe() + " failed: cannot connect (" + messageOf(refused) + ")", true);
        }
        Throwable io = find(failure, IOException.class);
        if (io != null) {
            return TaskResult.failure(ErrorTypes.CONNECTION_ERROR,
                    spec.describe() + " failed: " + messageOf(io), true);
        }
        Throwable cause = unwrap(failure);
        if (cause instanceof IllegalArgumentException) {
            return TaskResult.failure(ErrorTypes.VALIDATION_ERROR,
                    "http.request: " + spec.describe() + " is invalid: " + messageOf(cause), false);
        }
        if (cause instanceof VertxException || cause.getClass().getName().startsWith("io.netty.")) {
            // "Connection was closed", stream resets, TLS failures and similar transport failures.
            return TaskResult.failure(ErrorTypes.CONNECTION_ERROR,
                    spec.describe() + " failed: " + messageOf(cause), true);
        }
        return TaskResult.failure(ErrorTypes.COMPONENT_ERROR,
                spec.describe() + " failed unexpectedly: " + messageOf(cause), false);
    }

    private static TaskResult unexpected(Throwable t) {
        return TaskResult.failure(ErrorTypes.COMPONENT_ERROR,
                "http.request failed unexpectedly: " + messageOf(unwrap(t)), false);
    }

    // ---------------------------------------------------------------- response body

    /** The body as JSON when the content type declares JSON and it parses, else as text; null when empty. */
    static JsonNode parseBody(byte[] bytes, String contentType) {
        if (bytes.length == 0) {
            return NullNode.instance;
        }
        if (isJson(contentType)) {
            try {
                JsonNode parsed = JSON.readTree(bytes);
                if (parsed != null && !parsed.isMissingNode()) {
                    return parsed;
                }
            } catch (IOException | RuntimeException e) {
                // Declared JSON but is not: returned as text below.
            }
        }
        return TextNode.valueOf(new String(bytes, charsetOf(contentType)));
    }

    static boolean isJson(String contentType) {
        String mediaType = mediaType(contentType);
        return mediaType.equals("application/json") || mediaType.endsWith("+json");
    }

    private static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    private static Charset charsetOf(String contentType) {
        if (contentType != null) {
            for (String param : contentType.split(";")) {
                String p = param.trim();
                if (p.regionMatches(true, 0, "charset=", 0, 8)) {
                    String name = p.substring(8).trim();
                    if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
                        name = name.substring(1, name.length() - 1);
                    }
                    try {
                        return Charset.forName(name);
                    } catch (RuntimeException e) {
                        return StandardCharsets.UTF_8;
                    }
                }
            }
        }
        return StandardCharsets.UTF_8;
    }

    private static String excerpt(byte[] bytes, String contentType, boolean truncated) {
        if (bytes.length == 0) {
            return "";
        }
        // Decode at most a little more than needed: a huge error page should not be decoded whole.
        int take = Math.min(bytes.length, EXCERPT_CHARS * 4);
        String text = new String(bytes, 0, take, charsetOf(contentType)).strip().replaceAll("\\s+", " ");
        if (text.isEmpty()) {
            return "";
        }
        boolean cut = truncated || take < bytes.length;
        if (text.length() > EXCERPT_CHARS) {
            text = text.substring(0, EXCERPT_CHARS);
            cut = true;
        }
        return ": " + text + (cut ? "..." : "");
    }

    // ---------------------------------------------------------------- failures

    private static Throwable unwrap(Throwable t) {
        Throwable current = t;
        while (current instanceof CompletionException && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        Throwable current = t;
        for (int depth = 0; current != null && depth < 10; depth++) {
            if (type.isInstance(current)) {
                return type.cast(current);
            }
            if (current.getCause() == current) {
                break;
            }
            current = current.getCause();
        }
        return null;
    }

    private static String messageOf(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
    }

    // ---------------------------------------------------------------- input

    /** Invalid task input; the message says what was expected and found. */
    static final class InvalidInput extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidInput(String message) {
            super(message, null, false, false);
        }
    }

    /** The validated input of one request. */
    static final class RequestSpec {
        final HttpMethod method;
        final String url;
        final String displayUrl;
        final Map<String, List<String>> headers;
        final Map<String, List<String>> query;
        final byte[] body;
        final long timeoutMs;

        private RequestSpec(HttpMethod method, String url, String displayUrl, Map<String, List<String>> headers,
                Map<String, List<String>> query, byte[] body, long timeoutMs) {
            this.method = method;
            this.url = url;
            this.displayUrl = displayUrl;
            this.headers = headers;
            this.query = query;
            this.body = body;
            this.timeoutMs = timeoutMs;
        }

        /** The Vert.x request options: method, URL with the query parameters, headers, timeouts. */
        RequestOptions toOptions() {
            RequestOptions options = new RequestOptions()
                    .setMethod(method)
                    .setAbsoluteURI(urlWithQuery())
                    .setFollowRedirects(true)
                    .setConnectTimeout(timeoutMs)
                    .setIdleTimeout(timeoutMs);
            boolean userAgent = false;
            for (Map.Entry<String, List<String>> header : headers.entrySet()) {
                userAgent |= header.getKey().equalsIgnoreCase("user-agent");
                for (String value : header.getValue()) {
                    options.addHeader(header.getKey(), value);
                }
            }
            if (!userAgent) {
                options.putHeader("user-agent", "Harmonia");
            }
            return options;
        }

        /** The URL without its fragment, with the {@code query} parameters appended (percent-encoded). */
        String urlWithQuery() {
            String base = url;
            int hash = base.indexOf('#');
            if (hash >= 0) {
                base = base.substring(0, hash);
            }
            if (query.isEmpty()) {
                return base;
            }
            StringBuilder out = new StringBuilder(base);
            if (base.indexOf('?') < 0) {
                out.append('?');
            } else if (!base.endsWith("?") && !base.endsWith("&")) {
                out.append('&');
            }
            boolean first = true;
            for (Map.Entry<String, List<String>> param : query.entrySet()) {
                for (String value : param.getValue()) {
                    if (!first) {
                        out.append('&');
                    }
                    first = false;
                    out.append(encodeQueryComponent(param.getKey())).append('=').append(encodeQueryComponent(value));
                }
            }
            return out.toString();
        }

        private static String encodeQueryComponent(String text) {
            return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
        }

        /** "GET https://host/path", with any user info removed from the URL. */
        String describe() {
            return method.name() + " " + displayUrl;
        }

        static RequestSpec parse(JsonNode input) throws InvalidInput {
            if (input == null || !input.isObject()) {
                throw new InvalidInput("expected an object input {\"url\": ..., \"method\": ..., ...}; found "
                        + CoreComponent.describe(input));
            }

            HttpMethod method = HttpMethod.GET;
            JsonNode methodNode = input.get("method");
            if (methodNode != null && !methodNode.isNull()) {
                String name = methodNode.isTextual() ? methodNode.textValue().trim().toUpperCase(Locale.ROOT) : null;
                if (name == null || !METHODS.contains(name)) {
                    throw new InvalidInput("method must be one of " + METHODS + "; found "
                            + CoreComponent.describe(methodNode));
                }
                method = HttpMethod.valueOf(name);
            }

            JsonNode urlNode = input.get("url");
            if (urlNode == null || urlNode.isNull() || urlNode.isMissingNode()) {
                throw new InvalidInput("url is required (an absolute http or https URL)");
            }
            if (!urlNode.isTextual()) {
                throw new InvalidInput("url must be an absolute http or https URL; found "
                        + CoreComponent.describe(urlNode));
            }
            String url = urlNode.textValue().trim();
            URI uri;
            try {
                uri = new URI(url);
            } catch (URISyntaxException e) {
                throw new InvalidInput("url must be an absolute http or https URL; found '" + url + "' ("
                        + e.getMessage() + ")");
            }
            String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!"http".equals(scheme) && !"https".equals(scheme)) {
                throw new InvalidInput("url must be an absolute http or https URL; found '" + url + "'");
            }
            if (uri.getHost() == null || uri.getHost().isEmpty()) {
                throw new InvalidInput("url must be an absolute http or https URL with a host; found '" + url + "'");
            }
            String displayUrl = url;
            if (uri.getRawUserInfo() != null) {
                displayUrl = url.replace(uri.getRawUserInfo() + "@", "");
            }

            Map<String, List<String>> headers = stringMap(input.get("headers"), "headers", false);
            for (Map.Entry<String, List<String>> header : headers.entrySet()) {
                if (!isToken(header.getKey())) {
                    throw new InvalidInput("headers: '" + header.getKey() + "' is not a valid header name");
                }
                for (String value : header.getValue()) {
                    if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
                        throw new InvalidInput("headers: the value of '" + header.getKey()
                                + "' must not contain line breaks or NUL characters");
                    }
                }
            }
            Map<String, List<String>> query = stringMap(input.get("query"), "query", true);

            long timeoutMs = DEFAULT_TIMEOUT_MS;
            JsonNode timeoutNode = input.get("timeout_ms");
            if (timeoutNode != null && !timeoutNode.isNull()) {
                if (!timeoutNode.isNumber() || timeoutNode.doubleValue() != Math.rint(timeoutNode.doubleValue())
                        || timeoutNode.doubleValue() < 1 || timeoutNode.doubleValue() > Integer.MAX_VALUE) {
                    throw new InvalidInput("timeout_ms must be a positive integer (milliseconds); found "
                            + CoreComponent.describe(timeoutNode));
                }
                timeoutMs = timeoutNode.longValue();
            }

            byte[] body = null;
            JsonNode bodyNode = input.get("body");
            if (bodyNode != null && !bodyNode.isNull() && !bodyNode.isMissingNode()) {
                String contentType = firstHeader(headers, "content-type");
                if (bodyNode.isTextual()) {
                    body = bodyNode.textValue().getBytes(StandardCharsets.UTF_8);
                    if (contentType == null) {
                        headers.put("content-type", List.of("text/plain; charset=utf-8"));
                    }
                } else if (bodyNode.isObject() && contentType != null
                        && mediaType(contentType).equals("application/x-www-form-urlencoded")) {
                    body = formEncode(stringMap(bodyNode, "body", true)).getBytes(StandardCharsets.UTF_8);
                } else {
                    try {
                        body = JSON.writeValueAsBytes(bodyNode);
                    } catch (JsonProcessingException e) {
                        throw new InvalidInput("body cannot be written as JSON: " + e.getOriginalMessage());
                    }
                    if (contentType == null) {
                        headers.put("content-type", List.of("application/json"));
                    }
                }
            }
            return new RequestSpec(method, url, displayUrl, headers, query, body, timeoutMs);
        }

        private static String firstHeader(Map<String, List<String>> headers, String name) {
            for (Map.Entry<String, List<String>> header : headers.entrySet()) {
                if (header.getKey().equalsIgnoreCase(name) && !header.getValue().isEmpty()) {
                    return header.getValue().get(0);
                }
            }
            return null;
        }

        /**
         * An object of scalar values (strings, numbers, booleans; arrays of them for repeated entries; null
         * entries skipped) as a map of string lists.
         */
        private static Map<String, List<String>> stringMap(JsonNode node, String what, boolean nestedAsJson)
                throws InvalidInput {
            Map<String, List<String>> map = new LinkedHashMap<>();
            if (node == null || node.isNull() || node.isMissingNode()) {
                return map;
            }
            if (!node.isObject()) {
                throw new InvalidInput(what + " must be an object; found " + CoreComponent.describe(node));
            }
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                JsonNode value = field.getValue();
                List<String> values = new ArrayList<>();
                if (value.isArray()) {
                    for (JsonNode item : value) {
                        if (!item.isNull()) {
                            values.add(scalarText(item, what, field.getKey(), nestedAsJson));
                        }
                    }
                } else if (!value.isNull()) {
                    values.add(scalarText(value, what, field.getKey(), nestedAsJson));
                }
                if (!values.isEmpty()) {
                    map.put(field.getKey(), values);
                }
            }
            return map;
        }

        private static String scalarText(JsonNode value, String what, String name, boolean nestedAsJson)
                throws InvalidInput {
            if (value.isTextual()) {
                return value.textValue();
            }
            if (value.isNumber() || value.isBoolean()) {
                return value.asText();
            }
            if (nestedAsJson) {
                return value.toString();
            }
            throw new InvalidInput(what + ": the value of '" + name
                    + "' must be a string, number or boolean (or an array of them); found "
                    + CoreComponent.describe(value));
        }

        private static String formEncode(Map<String, List<String>> fields) {
            StringBuilder out = new StringBuilder();
            for (Map.Entry<String, List<String>> field : fields.entrySet()) {
                for (String value : field.getValue()) {
                    if (out.length() > 0) {
                        out.append('&');
                    }
                    out.append(URLEncoder.encode(field.getKey(), StandardCharsets.UTF_8))
                            .append('=')
                            .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
                }
            }
            return out.toString();
        }

        private static boolean isToken(String name) {
            if (name.isEmpty()) {
                return false;
            }
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
                if (!ok) {
                    return false;
                }
            }
            return true;
        }
    }
}
