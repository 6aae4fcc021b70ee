package io.harmonia.application;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HMAC-SHA256 signature of an HTTP trigger's fire: the header holds {@code sha256=<hex>} (or the bare hex) of the
 * HMAC of the raw request body, keyed with the trigger's secret (the GitHub webhook convention). Compared in constant
 * time.
 */
public final class TriggerSignatures {
    private TriggerSignatures() {}

    /** The header value for {@code body}: {@code sha256=<lower-case hex>}. */
    public static String sign(String secret, byte[] body) {
        return "sha256=" + HexFormat.of().formatHex(hmac(secret, body));
    }

    /** Whether {@code header} is the signature of {@code body} under {@code secret}. */
    public static boolean verify(String secret, String header, byte[] body) {
        if (header == null) {
            return false;
        }
        String hex = header.strip();
        if (hex.regionMatches(true, 0, "sha256=", 0, 7)) {
            hex = hex.substring(7);
        }
        byte[] given;
        try {
            given = HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(hmac(secret, body), given);
    }

    private static byte[] hmac(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Expected HmacSHA256 to be available in the JDK", e);
        }
    }
}
