package io.harmonia.component.builtin.http;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.harmonia.component.TaskResult;
import io.harmonia.domain.definition.ErrorTypes;
import io.harmonia.net.DestinationDenied;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpClientResponse;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/** The task result of an exchange: the response as output, or the failure as the error type it is. */
final class HttpResults {

    static final int EXCERPT_CHARS = 500;

    /** How much of an error response's body is read (for the excerpt): enough for 500 characters of UTF-8. */
    static final int ERROR_BODY_BYTES = EXCERPT_CHARS * 4;

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private HttpResults() {}

    static long parseLength(String value) {
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
    static TaskResult fromResponse(String what, HttpClientResponse response, byte[] bytes, boolean truncated) {
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
            String message = what + " responded " + status
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

    static TaskResult fromFailure(String what, long timeoutMs, Throwable failure) {
        DestinationDenied denied = find(failure, DestinationDenied.class);
        if (denied != null) {
            // refused before any connection: says nothing about whether the port is open
            return TaskResult.failure(ErrorTypes.CLIENT_ERROR, what + ": " + denied.getMessage(), false);
        }
        Throwable timeout = find(failure, TimeoutException.class);
        if (timeout == null) {
            timeout = find(failure, io.netty.channel.ConnectTimeoutException.class);
        }
        if (timeout != null) {
            return TaskResult.failure(ErrorTypes.TIMEOUT,
                    what + " timed out after " + timeoutMs + " ms", true);
        }
        Throwable unknownHost = find(failure, UnknownHostException.class);
        if (unknownHost != null) {
            return TaskResult.failure(ErrorTypes.CONNECTION_ERROR,
                    what + " failed: cannot resolve host (" + messageOf(unknownHost) + ")", true);
        }
        Throwable refused = find(failure, ConnectException.class);
        if (refused != null) {
            return TaskResult.failure(ErrorTypes.CONNECTION_ERROR,
                    what + " failed: cannot connect (" + messageOf(refused) + ")", true);
        }
        Throwable io = find(failure, IOException.class);
        if (io != null) {
            return TaskResult.failure(ErrorTypes.CONNECTION_ERROR,
                    what + " failed: " + messageOf(io), true);
        }
        Throwable cause = unwrap(failure);
        if (cause instanceof IllegalArgumentException) {
            return TaskResult.failure(ErrorTypes.VALIDATION_ERROR,
                    "http.request: " + what + " is invalid: " + messageOf(cause), false);
        }
        if (cause instanceof VertxException || cause.getClass().getName().startsWith("io.netty.")) {
            // "Connection was closed", stream resets, TLS failures and similar transport failures.
            return TaskResult.failure(ErrorTypes.CONNECTION_ERROR,
                    what + " failed: " + messageOf(cause), true);
        }
        return TaskResult.failure(ErrorTypes.COMPONENT_ERROR,
                what + " failed unexpectedly: " + messageOf(cause), false);
    }

    static TaskResult unexpected(Throwable t) {
        return TaskResult.failure(ErrorTypes.COMPONENT_ERROR,
                "http.request failed unexpectedly: " + messageOf(unwrap(t)), false);
    }

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

    static String mediaType(String contentType) {
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

    static String messageOf(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
    }
}
