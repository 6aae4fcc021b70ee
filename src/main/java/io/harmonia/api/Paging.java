package io.harmonia.api;

/** limit/offset query parameters, checked. */
record Paging(int limit, int offset) {
    static final int MAX_LIMIT = 500;

    static Paging of(String limit, String offset) {
        int l = number("limit", limit, 50);
        int o = number("offset", offset, 0);
        if (l < 1 || l > MAX_LIMIT) {
            throw BadRequest.of("/query/limit", "expected limit from 1 to " + MAX_LIMIT + ", found " + l);
        }
        if (o < 0) {
            throw BadRequest.of("/query/offset", "expected a non-negative offset, found " + o);
        }
        return new Paging(l, o);
    }

    static int number(String name, String value, int dflt) {
        if (value == null || value.isBlank()) {
            return dflt;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw BadRequest.of("/query/" + name, "expected an integer " + name + ", found '" + value + "'");
        }
    }
}
