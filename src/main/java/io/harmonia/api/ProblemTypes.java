package io.harmonia.api;

import io.vertx.core.MultiMap;

/**
 * The problem {@code type} (and a title and a user message) for each HTTP status, so that a type always comes with
 * the same status. A few types are more specific than their status and still keep to one status each:
 * {@code malformed-json} (400), {@code invalid-state} and {@code concurrent-change} (409), {@code overloaded} (429).
 */
public final class ProblemTypes {
    private ProblemTypes() {}

    /** The type name for a status, e.g. {@code validation-error} for 422. */
    public static String of(int status) {
        return switch (status) {
            case 400 -> "bad-request";
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 408 -> "request-timeout";
            case 409 -> "conflict";
            case 412 -> "precondition-failed";
            case 413 -> "payload-too-large";
            case 414 -> "uri-too-long";
            case 415 -> "unsupported-media-type";
            case 422 -> "validation-error";
            case 429 -> "overloaded";
            case 431 -> "header-fields-too-large";
            case 500 -> "internal-error";
            case 501 -> "not-implemented";
            case 503 -> "unavailable";
            default -> "http-" + status;
        };
    }

    /** A short title for a status. */
    public static String title(int status) {
        return switch (status) {
            case 400 -> "The request is not acceptable";
            case 404 -> "Not found";
            case 405 -> "Method not allowed";
            case 406 -> "Not acceptable";
            case 408 -> "Request timeout";
            case 409 -> "Conflict";
            case 412 -> "Precondition failed";
            case 413 -> "Payload too large";
            case 414 -> "URI too long";
            case 415 -> "Unsupported media type";
            case 422 -> "The request is invalid";
            case 429 -> "Too many requests";
            case 431 -> "Request header fields too large";
            case 500 -> "Internal error";
            case 501 -> "Not implemented";
            case 503 -> "Service unavailable";
            default -> "HTTP " + status;
        };
    }

    /** A message for users about a request refused by the HTTP layer (no resource, method, media type). */
    public static String detail(int status, String method, String path, MultiMap headers) {
        String shownPath = shorten(path);
        return switch (status) {
            case 400 -> "The request cannot be read (" + method + " " + shownPath + ")";
            case 404 -> "Nothing is at " + method + " " + shownPath + "; the API is under /api (see the README)";
            case 405 -> "The method " + method + " is not allowed on " + shownPath;
            case 406 -> "This resource answers application/json (errors application/problem+json); the request"
                    + " accepts only " + shorten(String.valueOf(headers.get("Accept")));
            case 415 -> "Expected Content-Type application/json, found "
                    + shorten(String.valueOf(headers.get("Content-Type")));
            case 500 -> "An unexpected error occurred; it is logged";
            default -> title(status) + " (" + method + " " + shownPath + ")";
        };
    }

    private static String shorten(String s) {
        String t = s == null ? "" : s;
        StringBuilder b = new StringBuilder(Math.min(t.length(), 200));
        for (int i = 0; i < t.length() && b.length() < 200; i++) {
            char c = t.charAt(i);
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        return t.length() > 200 ? b + "..." : b.toString();
    }
}
