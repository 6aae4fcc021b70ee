package io.harmonia.expression;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAccessor;
import java.util.Locale;

/** The date and time helpers behind {@code now()} and {@code formatDate(...)}; see {@link FunctionRegistry}. */
final class DateFunctions {

    /** ISO-8601 in UTC with exactly three fraction digits, so that such strings sort in time order. */
    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** The pattern tokens of {@link #format}, longest first so that {@code YYYY} wins over {@code YY}. */
    private static final String[] TOKENS = {"YYYY", "SSS", "YY", "MM", "DD", "HH", "mm", "ss", "M", "D", "H"};

    private DateFunctions() {}

    /** {@code 2026-01-02T03:04:05.123Z}: UTC, millisecond precision (finer digits are cut off). */
    static String isoMillis(Instant instant) {
        return ISO_MILLIS.format(instant);
    }

    /**
     * Reads an ISO-8601 instant ({@code 2026-01-02T03:04:05Z}), date-time with offset or zone
     * ({@code 2026-01-02T04:04:05+01:00}), local date-time (taken as UTC) or date (midnight UTC).
     *
     * @throws IllegalArgumentException when {@code text} is none of these
     */
    static Instant parseInstant(String text) {
        try {
            TemporalAccessor parsed =
                    DateTimeFormatter.ISO_DATE_TIME.parseBest(text, ZonedDateTime::from, LocalDateTime::from);
            if (parsed instanceof ZonedDateTime zoned) {
                return zoned.toInstant();
            }
            return ((LocalDateTime) parsed).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException notADateTime) {
            try {
                return LocalDate.parse(text, DateTimeFormatter.ISO_LOCAL_DATE)
                        .atStartOfDay(ZoneOffset.UTC)
                        .toInstant();
            } catch (DateTimeParseException notADate) {
                throw new IllegalArgumentException("'" + text + "' is not an ISO-8601 timestamp or date");
            }
        }
    }

    /**
     * Formats {@code instant} in UTC with a moment.js-style pattern: {@code YYYY} (4-digit year), {@code YY} (2-digit
     * year), {@code MM}/{@code M} (month, padded or not), {@code DD}/{@code D} (day of month), {@code HH}/{@code H}
     * (hour 0-23), {@code mm} (minute), {@code ss} (second), {@code SSS} (millisecond). Text in square brackets is
     * copied without the brackets ({@code [at] HH:mm}); every other character is copied as it is.
     */
    static String format(Instant instant, String pattern) {
        ZonedDateTime t = instant.atZone(ZoneOffset.UTC);
        StringBuilder out = new StringBuilder(pattern.length() + 8);
        int i = 0;
        int n = pattern.length();
        outer:
        while (i < n) {
            char c = pattern.charAt(i);
            if (c == '[') {
                int close = pattern.indexOf(']', i + 1);
                if (close > 0) {
                    out.append(pattern, i + 1, close);
                    i = close + 1;
                    continue;
                }
            }
            for (String token : TOKENS) {
                if (pattern.startsWith(token, i)) {
                    out.append(field(t, token));
                    i += token.length();
                    continue outer;
                }
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    private static String field(ZonedDateTime t, String token) {
        return switch (token) {
            case "YYYY" -> pad(t.getYear(), 4);
            case "YY" -> pad(Math.floorMod(t.getYear(), 100), 2);
            case "MM" -> pad(t.getMonthValue(), 2);
            case "M" -> Integer.toString(t.getMonthValue());
            case "DD" -> pad(t.getDayOfMonth(), 2);
            case "D" -> Integer.toString(t.getDayOfMonth());
            case "HH" -> pad(t.getHour(), 2);
            case "H" -> Integer.toString(t.getHour());
            case "mm" -> pad(t.getMinute(), 2);
            case "ss" -> pad(t.getSecond(), 2);
            case "SSS" -> pad(t.getNano() / 1_000_000, 3);
            default -> throw new IllegalStateException("unknown token " + token);
        };
    }

    private static String pad(int value, int width) {
        String digits = Integer.toString(Math.abs(value));
        StringBuilder out = new StringBuilder(width + 1);
        if (value < 0) {
            out.append('-');
        }
        for (int k = digits.length(); k < width; k++) {
            out.append('0');
        }
        return out.append(digits).toString();
    }
}
