package io.harmonia.application;

/** A fire of a signed HTTP trigger without a valid signature: 401. The message never holds the key. */
public final class SignatureRejected extends RuntimeException {
    public SignatureRejected(String message) {
        super(message);
    }
}
