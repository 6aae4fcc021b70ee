package io.harmonia.domain.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * The times a cron expression names in a time zone, computed by cron-utils. Five fields (minute hour day-of-month
 * month day-of-week) are Unix cron, at second 0; six fields put seconds first (cron-utils' Spring definition:
 * {@code ?}, {@code L}, {@code W} and {@code #} allowed). Daylight-saving changes follow cron-utils: a local time that
 * does not exist (spring forward) fires at the first instant after the gap, one that happens twice (fall back) fires
 * once.
 */
public final class CronTimes {
    private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final CronParser SECONDS =
            new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.SPRING));

    private final ExecutionTime times;
    private final ZoneId zone;

    private CronTimes(Cron cron, ZoneId zone) {
        this.times = ExecutionTime.forCron(cron);
        this.zone = zone;
    }

    /**
     * Parses {@code expression} (5 or 6 fields).
     *
     * @throws IllegalArgumentException saying what was expected and what was found
     */
    public static CronTimes parse(String expression, ZoneId zone) {
        String trimmed = expression.trim();
        int fields = trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
        if (fields != 5 && fields != 6) {
            throw new IllegalArgumentException("expected 5 fields (minute hour day-of-month month day-of-week) or 6"
                    + " (seconds first), found " + fields + " in '" + expression + "'");
        }
        CronParser parser = fields == 5 ? UNIX : SECONDS;
        Cron cron;
        try {
            cron = parser.parse(trimmed).validate();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected a valid " + fields + "-field cron expression, found '"
                    + expression + "': " + e.getMessage());
        }
        return new CronTimes(cron, zone);
    }

    /** The first time strictly after {@code after}, if the expression names any; always a whole second. */
    public Optional<Instant> next(Instant after) {
        // cron-utils keeps the fraction of a second it is given; cron times are whole seconds
        return times.nextExecution(ZonedDateTime.ofInstant(after.truncatedTo(ChronoUnit.SECONDS), zone))
                .map(t -> t.toInstant().truncatedTo(ChronoUnit.SECONDS));
    }
}
