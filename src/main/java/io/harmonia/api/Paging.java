package io.harmonia.api;

import io.harmonia.config.ApiConfig;
import io.harmonia.projection.PageCursor;

/** limit/offset/cursor query parameters of the list endpoints, checked: each error says the allowed range. */
record Paging(int limit, int offset, PageCursor after) {
    static final int MAX_LIMIT = 500;

    static Paging of(String limit, String offset, String cursor, ApiConfig config) {
        int l = number("limit", limit, 50, 1, MAX_LIMIT);
        int o = number("offset", offset, 0, 0, config.maxOffset(),
                " (deeper pages are read with ?cursor=, from next_cursor)");
        PageCursor after = null;
        if (cursor != null && !cursor.isBlank()) {
            if (o > 0) {
                throw BadRequest.of("/query/cursor", "expected either cursor or offset, found both (offset=" + o
                        + ")");
            }
            try {
                after = PageCursor.decode(cursor.trim());
            } catch (RuntimeException e) {
                throw BadRequest.of("/query/cursor", "expected the next_cursor of an earlier page, found '"
                        + shorten(cursor) + "'");
            }
        }
        return new Paging(l, o, after);
    }

    static int number(String name, String value, int dflt, int min, int max) {
        return number(name, value, dflt, min, max, "");
    }

    /** An integer query parameter from {@code min} to {@code max}, {@code dflt} when absent. */
    static int number(String name, String value, int dflt, int min, int max, String hint) {
        if (value == null || value.isBlank()) {
            return dflt;
        }
        String range = min + " to " + max;
        long n;
        try {
            n = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw BadRequest.of("/query/" + name, "expected " + name + " to be an integer from " + range + hint
                    + ", found '" + shorten(value) + "'");
        }
        if (n < min || n > max) {
            throw BadRequest.of("/query/" + name, "expected " + name + " from " + range + hint + ", found " + n);
        }
        return (int) n;
    }

    static String shorten(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 60; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        return s.length() > 60 ? b + "..." : b.toString();
    }
}
