package io.harmonia.stream;

/** Server-sent events framing (one event: optional {@code id}, {@code event}, {@code data}, blank line). */
public final class Sse {
    private Sse() {}

    /** A frame; {@code id} may be null (the client's last event id then stays as it was). */
    public static String frame(String id, String event, String data) {
        StringBuilder b = new StringBuilder(data.length() + 64);
        if (id != null) {
            b.append("id: ").append(id).append('\n');
        }
        b.append("event: ").append(event).append('\n');
        // JSON text has no raw line breaks, but be safe: every line of data gets its own field
        for (String line : data.split("\r\n|\r|\n", -1)) {
            b.append("data: ").append(line).append('\n');
        }
        return b.append('\n').toString();
    }
}
