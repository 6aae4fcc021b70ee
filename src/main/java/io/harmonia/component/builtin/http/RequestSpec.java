package io.harmonia.component.builtin.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.net.HttpTarget;
import io.vertx.core.http.HttpMethod;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The validated input of one {@code http.request}. */
final class RequestSpec {

    /** Default {@code timeout_ms}: 30 s. */
    static final long DEFAULT_TIMEOUT_MS = 30_000;

    /** The methods accepted in {@code method} (case-insensitive). */
    static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    /** Invalid task input; the message says what was expected and found. */
    static final class InvalidInput extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidInput(String message) {
            super(message, null, false, false);
        }
    }

    final HttpMethod method;
    /** The URL as given (without user info, which is refused). */
    final String url;
    /** Where the request goes: the URL with the {@code query} parameters appended. */
    final HttpTarget target;
    final Map<String, List<String>> headers;
    final byte[] body;
    final long timeoutMs;

    private RequestSpec(HttpMethod method, String url, HttpTarget target, Map<String, List<String>> headers,
            byte[] body, long timeoutMs) {
        this.method = method;
        this.url = url;
        this.target = target;
        this.headers = headers;
        this.body = body;
        this.timeoutMs = timeoutMs;
    }

    /** The URL without its fragment, with the {@code query} parameters appended (percent-encoded). */
    static String urlWithQuery(String url, Map<String, List<String>> query) {
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

    /** "GET https://host/path", the URL as given (user info is refused, so none is repeated). */
    String describe() {
        return method.name() + " " + url;
    }

    static RequestSpec parse(JsonNode input) throws InvalidInput {
        if (input == null || !input.isObject()) {
            throw new InvalidInput("expected an object input {\"url\": ..., \"method\": ..., ...}; found "
                    + describe(input));
        }

        HttpMethod method = HttpMethod.GET;
        JsonNode methodNode = input.get("method");
        if (methodNode != null && !methodNode.isNull()) {
            String name = methodNode.isTextual() ? methodNode.textValue().trim().toUpperCase(Locale.ROOT) : null;
            if (name == null || !METHODS.contains(name)) {
                throw new InvalidInput("method must be one of " + METHODS + "; found "
                        + describe(methodNode));
            }
            method = HttpMethod.valueOf(name);
        }

        JsonNode urlNode = input.get("url");
        if (urlNode == null || urlNode.isNull() || urlNode.isMissingNode()) {
            throw new InvalidInput("url is required (an absolute http or https URL)");
        }
        if (!urlNode.isTextual()) {
            throw new InvalidInput("url must be an absolute http or https URL; found "
                    + describe(urlNode));
        }
        String url = urlNode.textValue().trim();
        if (HttpTarget.hasUserInfo(url)) {
            // never repeat the credentials in the message
            throw new InvalidInput("url " + HttpTarget.USER_INFO_REFUSED);
        }
        try {
            HttpTarget.parse(url);
        } catch (HttpTarget.InvalidTarget e) {
            throw new InvalidInput("url " + e.getMessage() + "; found '" + url + "'");
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
                        + describe(timeoutNode));
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
                    && HttpResults.mediaType(contentType).equals("application/x-www-form-urlencoded")) {
                body = formEncode(stringMap(bodyNode, "body", true)).getBytes(StandardCharsets.UTF_8);
            } else {
                try {
                    body = HttpResults.JSON.writeValueAsBytes(bodyNode);
                } catch (JsonProcessingException e) {
                    throw new InvalidInput("body cannot be written as JSON: " + e.getOriginalMessage());
                }
                if (contentType == null) {
                    headers.put("content-type", List.of("application/json"));
                }
            }
        }
        HttpTarget target;
        try {
            target = HttpTarget.parse(urlWithQuery(url, query));
        } catch (HttpTarget.InvalidTarget e) {
            throw new InvalidInput("query makes the url invalid: " + e.getMessage());
        }
        return new RequestSpec(method, url, target, headers, body, timeoutMs);
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
            throw new InvalidInput(what + " must be an object; found " + describe(node));
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
                + describe(value));
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

    /** A short description of a JSON value for error messages (as the core component gives it). */
    static String describe(JsonNode node) {
        return io.harmonia.component.builtin.CoreComponent.describe(node);
    }
}
