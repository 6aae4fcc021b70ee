package io.harmonia.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.harmonia.domain.schedule.FireOutcome;
import io.harmonia.domain.schedule.Overlap;
import io.harmonia.domain.schedule.ScheduleEvent;
import io.harmonia.domain.schedule.ScheduleEvent.ScheduleCreated;
import io.harmonia.domain.schedule.ScheduleEvent.ScheduleFired;
import io.harmonia.domain.schedule.ScheduleEvent.ScheduleMissed;
import io.harmonia.domain.schedule.ScheduleEvolver;
import io.harmonia.domain.schedule.ScheduleState;
import io.harmonia.eventstore.EventCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Schedule events as stored (schema version 1): these fixtures are the JSON Harmonia writes today, so a later change
 * of shape must keep them loading (a new version with an upcaster). The state stored in the read model round-trips.
 */
class ScheduleEventsTest {
    static final String ID = "0b7e0000-0000-4000-8000-00000000000a";

    /** One stored event of each type, as written by version 1. */
    static final List<String[]> V1 = List.of(
            new String[] {"ScheduleCreated", """
                    {"schedule_id":"%s","spec":{"workflow_id":"3a0c9f1e-0000-4000-8000-000000000001","version":null,
                     "input":{"n":1},"cron":"0 9 * * 1-5","timezone":"Europe/Paris","start_at":null,"end_at":null,
                     "overlap":"buffer_one","catchup_window":300.000000000,"name":"weekdays","description":null},
                     "paused":false,"at":"2026-11-26T08:00:00Z"}"""},
            new String[] {"ScheduleUpdated", """
                    {"schedule_id":"%s","spec":{"workflow_id":"3a0c9f1e-0000-4000-8000-000000000001","version":2,
                     "input":{},"cron":"*/5 * * * * *","timezone":"UTC","start_at":"2026-11-26T09:00:00Z",
                     "end_at":null,"overlap":"skip","catchup_window":60.000000000,"name":null,"description":null},
                     "at":"2026-11-26T08:01:00Z"}"""},
            new String[] {"SchedulePaused", "{\"schedule_id\":\"%s\",\"at\":\"2026-11-26T08:02:00Z\"}"},
            new String[] {"ScheduleResumed", "{\"schedule_id\":\"%s\",\"at\":\"2026-11-26T08:03:00Z\"}"},
            new String[] {"ScheduleFired", """
                    {"schedule_id":"%s","fire_time":"2026-11-26T09:00:05Z",
                     "execution_id":"019ac0f0-0000-7000-8000-00000000000a","outcome":"started","manual":false,
                     "previous_execution_id":null,"reason":null,"at":"2026-11-26T09:00:05.012Z"}"""},
            new String[] {"ScheduleMissed", """
                    {"schedule_id":"%s","first_fire_time":"2026-11-26T09:00:10Z",
                     "last_fire_time":"2026-11-26T09:10:00Z","count":119,"at":"2026-11-26T09:12:00Z"}"""},
            new String[] {"ScheduleDeleted", "{\"schedule_id\":\"%s\",\"at\":\"2026-11-26T09:13:00Z\"}"});

    @Test
    void everyStoredVersionOneEventLoadsAndFolds() {
        List<ScheduleEvent> events = new ArrayList<>();
        for (String[] f : V1) {
            events.add((ScheduleEvent) EventCodec.decode(f[0], 1, f[1].formatted(ID)));
        }
        assertThat(events).extracting(e -> e.getClass().getSimpleName())
                .containsExactlyInAnyOrderElementsOf(java.util.Arrays.stream(ScheduleEvent.class
                        .getPermittedSubclasses()).map(Class::getSimpleName).toList());
        ScheduleCreated created = (ScheduleCreated) events.get(0);
        assertThat(created.spec().overlap()).isEqualTo(Overlap.BUFFER_ONE);
        assertThat(created.spec().catchupWindow()).isEqualTo(Duration.ofMinutes(5));
        assertThat(created.spec().timezone().getId()).isEqualTo("Europe/Paris");
        assertThat(((ScheduleFired) events.get(4)).outcome()).isEqualTo(FireOutcome.STARTED);
        assertThat(((ScheduleMissed) events.get(5)).count()).isEqualTo(119);

        ScheduleState s = ScheduleEvolver.fold(events);
        assertThat(s.version()).isEqualTo(7);
        assertThat(s.counts().started()).isEqualTo(1);
        assertThat(s.counts().missed()).isEqualTo(119);
        assertThat(s.cursor()).isEqualTo(Instant.parse("2026-11-26T09:10:00Z"));
    }

    @Test
    void eventsAndTheStoredStateRoundTrip() throws Exception {
        List<ScheduleEvent> events = new ArrayList<>();
        for (String[] f : V1) {
            ScheduleEvent e = (ScheduleEvent) EventCodec.decode(f[0], 1, f[1].formatted(ID));
            String[] enc = EventCodec.encodeToText(e);
            assertThat(EventCodec.decode(enc[0], Integer.parseInt(enc[1]), enc[2])).isEqualTo(e);
            events.add(e);
        }
        // durations are written as seconds (Jackson's default), as in the fixtures
        assertThat(EventCodec.encodeToText(events.get(0))[2]).contains("\"catchup_window\":300.0");
        ScheduleState s = ScheduleEvolver.fold(events);
        String stored = EventCodec.json().writeValueAsString(s);
        assertThat(EventCodec.json().readValue(stored, ScheduleState.class)).isEqualTo(s);
    }
}
