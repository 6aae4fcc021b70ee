package io.harmonia.domain.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * Changes to a schedule (cron): its stream is {@code schedule-<id>}. Every record is version 1 of its type unless its
 * doc says otherwise (see {@code EventCodec}).
 */
public sealed interface ScheduleEvent {

    Instant at();

    /** A schedule was created with {@code spec}, its definition in canonical JSON form. */
    record ScheduleCreated(String scheduleId, JsonNode spec, Instant at) implements ScheduleEvent {}
}
