package io.harmonia.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.harmonia.domain.definition.InvalidRequest;
import io.harmonia.domain.schedule.CronTimes;
import io.harmonia.domain.schedule.FireOutcome;
import io.harmonia.domain.schedule.Overlap;
import io.harmonia.domain.schedule.ScheduleCommand;
import io.harmonia.domain.schedule.ScheduleCommand.CatchUp;
import io.harmonia.domain.schedule.ScheduleCommand.Create;
import io.harmonia.domain.schedule.ScheduleCommand.Delete;
import io.harmonia.domain.schedule.ScheduleCommand.Fire;
import io.harmonia.domain.schedule.ScheduleCommand.Pause;
import io.harmonia.domain.schedule.ScheduleCommand.ReleaseBuffered;
import io.harmonia.domain.schedule.ScheduleCommand.Resume;
import io.harmonia.domain.schedule.ScheduleCommand.Update;
import io.harmonia.domain.schedule.ScheduleDecider;
import io.harmonia.domain.schedule.ScheduleEvent;
import io.harmonia.domain.schedule.ScheduleEvent.ScheduleCreated;
import io.harmonia.domain.schedule.ScheduleEvent.ScheduleFired;
import io.harmonia.domain.schedule.ScheduleEvent.ScheduleMissed;
import io.harmonia.domain.schedule.ScheduleEvent.SchedulePaused;
import io.harmonia.domain.schedule.ScheduleEvolver;
import io.harmonia.domain.schedule.ScheduleRejected;
import io.harmonia.domain.schedule.ScheduleSpec;
import io.harmonia.domain.schedule.ScheduleSpecReader;
import io.harmonia.domain.schedule.ScheduleState;
import io.harmonia.domain.schedule.ScheduleStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Schedules, given events, when a command, then events: fires, overlap policies, catch-up, pause and resume. */
class ScheduleDeciderTest {
    static final String ID = "00000000-0000-0000-0000-00000000000a";
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00.500Z");
    static final ScheduleSpec EVERY_MINUTE = new ScheduleSpec("00000000-0000-0000-0000-000000000001", null,
            JsonNodeFactory.instance.objectNode(), "* * * * *", ZoneOffset.UTC, null, null, Overlap.SKIP,
            Duration.ofMinutes(1), "m", null);
    static final Instant MINUTE_1 = Instant.parse("2026-01-01T00:01:00Z");
    static final Instant MINUTE_2 = Instant.parse("2026-01-01T00:02:00Z");

    /** The test's running history. */
    private final List<ScheduleEvent> history = new ArrayList<>();

    ScheduleDeciderTest given(ScheduleCommand... commands) {
        for (ScheduleCommand c : commands) {
            history.addAll(ScheduleDecider.decide(c, state()));
        }
        return this;
    }

    List<ScheduleEvent> when(ScheduleCommand command) {
        List<ScheduleEvent> events = ScheduleDecider.decide(command, state());
        history.addAll(events);
        return events;
    }

    ScheduleState state() {
        return ScheduleEvolver.fold(history);
    }

    static Create create(ScheduleSpec spec) {
        return new Create(ID, spec, false, T0);
    }

    static Fire cron(Instant fireTime, boolean previousRunning) {
        return new Fire(fireTime, false, "exec-" + fireTime, previousRunning, fireTime.plusMillis(5));
    }

    @Nested
    @DisplayName("when created")
    class Created {
        @Test
        void nextFiresComeFromTheCronAfterTheCreationTime() {
            given(create(EVERY_MINUTE));
            assertThat(state().status()).isEqualTo(ScheduleStatus.ACTIVE);
            assertThat(state().nextFires(3)).containsExactly(MINUTE_1, MINUTE_2, Instant.parse("2026-01-01T00:03:00Z"));
            assertThat(state().nextFireAt()).contains(MINUTE_1);
        }

        @Test
        void createdPausedHasNoNextFire() {
            history.addAll(ScheduleDecider.decide(new Create(ID, EVERY_MINUTE, true, T0), null));
            assertThat(state().status()).isEqualTo(ScheduleStatus.PAUSED);
            assertThat(state().nextFireAt()).isEmpty();
            assertThat(state().nextFires(5)).isEmpty();
        }

        @Test
        void startAtAndEndAtBoundTheFires() {
            given(create(EVERY_MINUTE.withWindow(Instant.parse("2026-01-01T00:10:00Z"),
                    Instant.parse("2026-01-01T00:11:00Z"))));
            assertThat(state().nextFires(5)).containsExactly(Instant.parse("2026-01-01T00:10:00Z"),
                    Instant.parse("2026-01-01T00:11:00Z"));
        }

        @Test
        void creatingTwiceIsRejected() {
            given(create(EVERY_MINUTE));
            assertThatThrownBy(() -> when(create(EVERY_MINUTE))).isInstanceOf(ScheduleRejected.class)
                    .hasMessageContaining(ID);
        }
    }

    @Nested
    @DisplayName("when a cron fire is due")
    class Fires {
        @Test
        void theFireStartsAnExecutionAndAdvancesTheCursor() {
            given(create(EVERY_MINUTE));
            List<ScheduleEvent> events = when(cron(MINUTE_1, false));
            assertThat(events).singleElement().isInstanceOfSatisfying(ScheduleFired.class, f -> {
                assertThat(f.outcome()).isEqualTo(FireOutcome.STARTED);
                assertThat(f.executionId()).isEqualTo("exec-" + MINUTE_1);
                assertThat(f.fireTime()).isEqualTo(MINUTE_1);
            });
            assertThat(state().nextFireAt()).contains(MINUTE_2);
            assertThat(state().lastExecutionId()).isEqualTo("exec-" + MINUTE_1);
            assertThat(state().counts().started()).isEqualTo(1);
            assertThat(state().recent()).hasSize(1);
        }

        @Test
        void aSecondReplicaFiringTheSameTimeGetsNoEvents() {
            given(create(EVERY_MINUTE), cron(MINUTE_1, false));
            assertThat(when(cron(MINUTE_1, false))).isEmpty();
        }

        @Test
        void aFireTimeThatIsNotTheNextOneIsIgnored() {
            given(create(EVERY_MINUTE));
            assertThat(when(cron(MINUTE_2, false))).isEmpty();
        }

        @Test
        void aPausedScheduleDoesNotFireOnItsCron() {
            given(create(EVERY_MINUTE), new Pause(T0));
            assertThat(when(cron(MINUTE_1, false))).isEmpty();
        }

        @Test
        void aFailedStartIsRecordedAndTheCursorMovesOn() {
            given(create(EVERY_MINUTE));
            ScheduleFired f = (ScheduleFired) ScheduleDecider.decide(cron(MINUTE_1, false), state()).get(0);
            history.add(f.withFailure("workflow deleted"));
            assertThat(state().counts().failed()).isEqualTo(1);
            assertThat(state().nextFireAt()).contains(MINUTE_2);
            assertThat(state().lastExecutionId()).isNull();
        }
    }

    @Nested
    @DisplayName("when the previous execution is still running")
    class OverlapPolicies {
        @Test
        void skipRecordsASkippedFire() {
            given(create(EVERY_MINUTE), cron(MINUTE_1, false));
            ScheduleFired f = (ScheduleFired) when(cron(MINUTE_2, true)).get(0);
            assertThat(f.outcome()).isEqualTo(FireOutcome.SKIPPED);
            assertThat(f.executionId()).isNull();
            assertThat(f.previousExecutionId()).isEqualTo("exec-" + MINUTE_1);
            assertThat(state().lastExecutionId()).isEqualTo("exec-" + MINUTE_1);
        }

        @Test
        void allowStartsAnother() {
            given(create(EVERY_MINUTE.withOverlap(Overlap.ALLOW)), cron(MINUTE_1, false));
            assertThat(((ScheduleFired) when(cron(MINUTE_2, true)).get(0)).outcome()).isEqualTo(FireOutcome.STARTED);
        }

        @Test
        void cancelPreviousStartsOneAndNamesThePrevious() {
            given(create(EVERY_MINUTE.withOverlap(Overlap.CANCEL_PREVIOUS)), cron(MINUTE_1, false));
            ScheduleFired f = (ScheduleFired) when(cron(MINUTE_2, true)).get(0);
            assertThat(f.outcome()).isEqualTo(FireOutcome.CANCELED_PREVIOUS);
            assertThat(f.previousExecutionId()).isEqualTo("exec-" + MINUTE_1);
            assertThat(state().lastExecutionId()).isEqualTo("exec-" + MINUTE_2);
        }

        @Test
        void bufferOneKeepsOneFireAndSkipsTheRestThenReleasesIt() {
            Instant minute3 = Instant.parse("2026-01-01T00:03:00Z");
            given(create(EVERY_MINUTE.withOverlap(Overlap.BUFFER_ONE)), cron(MINUTE_1, false));
            assertThat(((ScheduleFired) when(cron(MINUTE_2, true)).get(0)).outcome()).isEqualTo(FireOutcome.BUFFERED);
            assertThat(((ScheduleFired) when(cron(minute3, true)).get(0)).outcome()).isEqualTo(FireOutcome.SKIPPED);
            assertThat(state().buffered()).isEqualTo(MINUTE_2);
            ScheduleFired released = (ScheduleFired) when(new ReleaseBuffered("exec-b", minute3.plusSeconds(5))).get(0);
            assertThat(released.fireTime()).isEqualTo(MINUTE_2);
            assertThat(released.outcome()).isEqualTo(FireOutcome.STARTED);
            assertThat(state().buffered()).isNull();
            assertThat(state().lastExecutionId()).isEqualTo("exec-b");
            assertThat(when(new ReleaseBuffered("exec-c", minute3.plusSeconds(6)))).isEmpty();
        }

        @Test
        void aManualTriggerFollowsTheOverlapPolicyAndLeavesTheCursor() {
            given(create(EVERY_MINUTE), cron(MINUTE_1, false));
            Instant now = MINUTE_1.plusSeconds(10);
            ScheduleFired f = (ScheduleFired) when(new Fire(now, true, "manual", true, now)).get(0);
            assertThat(f.outcome()).isEqualTo(FireOutcome.SKIPPED);
            assertThat(f.manual()).isTrue();
            assertThat(state().nextFireAt()).contains(MINUTE_2);
        }
    }

    @Nested
    @DisplayName("when catching up after an outage")
    class CatchUps {
        @Test
        void firesOlderThanTheWindowAreMissedInOneEventAndTheRestStillFire() {
            given(create(EVERY_MINUTE));
            Instant now = Instant.parse("2026-01-01T00:10:30Z");
            ScheduleMissed m = (ScheduleMissed) when(new CatchUp(1000, now)).get(0);
            assertThat(m.firstFireTime()).isEqualTo(MINUTE_1);
            assertThat(m.lastFireTime()).isEqualTo(Instant.parse("2026-01-01T00:09:00Z"));
            assertThat(m.count()).isEqualTo(9);
            assertThat(state().counts().missed()).isEqualTo(9);
            assertThat(state().nextFireAt()).contains(Instant.parse("2026-01-01T00:10:00Z"));
            assertThat(when(new CatchUp(1000, now))).isEmpty();
        }

        @Test
        void aLargeGapIsMissedInBoundedSteps() {
            given(create(EVERY_MINUTE));
            Instant now = Instant.parse("2026-01-02T00:00:30Z");
            assertThat(((ScheduleMissed) when(new CatchUp(1000, now)).get(0)).count()).isEqualTo(1000);
            assertThat(((ScheduleMissed) when(new CatchUp(1000, now)).get(0)).count()).isEqualTo(439);
        }
    }

    @Nested
    @DisplayName("when paused, resumed, updated and deleted")
    class Lifecycle {
        @Test
        void resumeStartsFromTheResumeTimeWithoutCatchingUpPausedFires() {
            given(create(EVERY_MINUTE), new Pause(T0.plusSeconds(1)));
            assertThat(when(new Pause(T0.plusSeconds(2)))).isEmpty();
            Instant later = Instant.parse("2026-01-01T05:00:10Z");
            given(new Resume(later));
            assertThat(state().nextFireAt()).contains(Instant.parse("2026-01-01T05:01:00Z"));
            assertThat(when(new CatchUp(1000, later))).isEmpty();
        }

        @Test
        void updateRecomputesTheNextFires() {
            given(create(EVERY_MINUTE));
            ScheduleSpec hourly = new ScheduleSpec(EVERY_MINUTE.workflowId(), 1, EVERY_MINUTE.input(), "0 * * * *",
                    ZoneOffset.UTC, null, null, Overlap.SKIP, Duration.ofMinutes(1), null, null);
            given(new Update(hourly, T0.plusSeconds(1)));
            assertThat(state().nextFireAt()).contains(Instant.parse("2026-01-01T01:00:00Z"));
            assertThat(state().spec().version()).isEqualTo(1);
        }

        @Test
        void aDeletedScheduleRejectsChangesAndFiresNoMore() {
            given(create(EVERY_MINUTE), new Delete(T0.plusSeconds(1)));
            assertThat(state().nextFireAt()).isEmpty();
            assertThat(when(new Delete(T0.plusSeconds(2)))).isEmpty();
            assertThatThrownBy(() -> when(new Resume(T0.plusSeconds(3)))).isInstanceOf(ScheduleRejected.class)
                    .hasMessageContaining("deleted");
            assertThatThrownBy(() -> when(new Fire(T0, true, "x", false, T0))).isInstanceOf(ScheduleRejected.class);
        }

        @Test
        void pauseIsAnEvent() {
            given(create(EVERY_MINUTE));
            assertThat(when(new Pause(T0))).singleElement().isInstanceOf(SchedulePaused.class);
        }
    }

    @Nested
    @DisplayName("when reading a spec")
    class Specs {
        final ScheduleSpecReader.Limits limits = new ScheduleSpecReader.Limits(Duration.ofMinutes(1),
                Duration.ofDays(7), 200);

        @Test
        void sixFieldsPutSecondsFirstAndTheZoneApplies() {
            CronTimes times = CronTimes.parse("30 0 9 * * *", ZoneId.of("Europe/Paris"));
            assertThat(times.next(Instant.parse("2026-07-01T00:00:00Z")))
                    .contains(Instant.parse("2026-07-01T07:00:30Z"));
        }

        @Test
        void springForwardSkipsTheMissingTimeAndFallBackFiresOnceAsCronUtilsDoes() {
            // 02:30 does not exist in Paris on 2026-03-29: no fire that day; on 2026-10-25 it happens twice: one fire
            CronTimes times = CronTimes.parse("30 2 * * *", ZoneId.of("Europe/Paris"));
            assertThat(times.next(Instant.parse("2026-03-28T12:00:00Z")))
                    .contains(Instant.parse("2026-03-30T00:30:00Z"));
            Instant fallBack = times.next(Instant.parse("2026-10-24T12:00:00Z")).orElseThrow();
            assertThat(fallBack).isEqualTo(Instant.parse("2026-10-25T00:30:00Z"));
            assertThat(times.next(fallBack)).contains(Instant.parse("2026-10-26T01:30:00Z"));
        }

        @Test
        void everyProblemIsNamedByItsField() {
            var body = TestDefinitions.json("""
                    {'workflow_id': 'nope', 'cron': '* * *', 'timezone': 'Mars/Olympus', 'overlap': 'sometimes',
                     'catchup_window': 'a minute', 'start_at': '2026-01-02T00:00:00Z', 'end_at': '2026-01-01T00:00:00Z',
                     'version': 0, 'input': [1], 'colour': 'red'}""");
            assertThatThrownBy(() -> ScheduleSpecReader.read(body, limits)).isInstanceOfSatisfying(
                    InvalidRequest.class, e -> assertThat(e.problems()).extracting(p -> p.pointer())
                            .containsExactlyInAnyOrder("/workflow_id", "/cron", "/timezone", "/overlap",
                                    "/catchup_window", "/end_at", "/version", "/input", "/colour"));
        }

        @Test
        void defaultsAreUtcSkipAndTheConfiguredWindow() {
            var read = ScheduleSpecReader.read(TestDefinitions.json(
                    "{'workflow_id': '00000000-0000-0000-0000-000000000001', 'cron': '*/5 * * * * *'}"), limits);
            assertThat(read.spec().timezone().getId()).isEqualTo("UTC");
            assertThat(read.spec().overlap()).isEqualTo(Overlap.SKIP);
            assertThat(read.spec().catchupWindow()).isEqualTo(Duration.ofMinutes(1));
            assertThat(read.paused()).isFalse();
        }
    }
}
