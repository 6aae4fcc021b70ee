package io.harmonia.net;

/** A destination the policy refuses; thrown before any connection is opened. */
public final class DestinationDenied extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DestinationDenied(String message) {
        super(message, null, false, false);
    }
}
