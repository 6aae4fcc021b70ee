package io.harmonia.stream;

/** A stream request parameter that cannot be used (a 400): where ({@code /query/types}) and why. */
public final class BadStreamRequest extends RuntimeException {
    private final String pointer;

    public BadStreamRequest(String pointer, String detail) {
        super(detail);
        this.pointer = pointer;
    }

    public String pointer() {
        return pointer;
    }
}
