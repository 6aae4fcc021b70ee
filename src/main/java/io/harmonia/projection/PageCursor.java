package io.harmonia.projection;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.UUID;

/**
 * Where a list page ended: the sort key (created_at, id) of its last row. Lists sort by created_at descending, then
 * id ascending; the next page starts after this key, so reading it costs the page, not the rows before it. Sent to
 * clients as an opaque base64url token.
 */
public record PageCursor(Instant createdAt, UUID id) {

    /** The opaque token. */
    public String encode() {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, createdAt);
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((micros + "." + id).getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * A token made by {@link #encode}.
     *
     * @throws IllegalArgumentException when the token was not made by {@link #encode}
     */
    public static PageCursor decode(String token) {
        if (token.length() > 100) {
            throw new IllegalArgumentException("too long");
        }
        String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII);
        int dot = text.indexOf('.');
        if (dot < 1) {
            throw new IllegalArgumentException("not a cursor");
        }
        long micros = Long.parseLong(text.substring(0, dot));
        UUID id = UUID.fromString(text.substring(dot + 1));
        if (text.length() - dot - 1 != 36) {
            throw new IllegalArgumentException("not a cursor");
        }
        return new PageCursor(Instant.EPOCH.plus(micros, ChronoUnit.MICROS), id);
    }

    /** The created_at bound as a query parameter. */
    public OffsetDateTime at() {
        return createdAt.atOffset(ZoneOffset.UTC);
    }
}
