package io.harmonia.runtime;

import io.harmonia.runtime.EventLog.Row;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** Questions about recorded execution events: which attempts started, ended, ran twice, were running at an instant. */
final class History {
    /** One run of a task in an execution. */
    record TaskRun(String executionId, String taskId, int run) {}

    /** One attempt of a task run. */
    record Attempt(String executionId, String taskId, int run, int attempt) {
        TaskRun taskRun() {
            return new TaskRun(executionId, taskId, run);
        }
    }

    /** The events that end an attempt (their {@code attempt} is the attempt they end). */
    static final Set<String> ATTEMPT_ENDS = Set.of("TaskCompleted", "TaskFailed", "TaskRetryScheduled",
            "TaskTimedOut", "TaskCanceled");
    static final Set<String> EXECUTION_ENDS = Set.of("ExecutionCompleted", "ExecutionFailed", "ExecutionCanceled");

    private final List<Row> rows;

    History(List<Row> rows) {
        this.rows = List.copyOf(rows);
    }

    List<Row> rows() {
        return rows;
    }

    List<Row> ofType(String type) {
        return rows.stream().filter(r -> r.type().equals(type)).toList();
    }

    /** Task runs with more than one {@code TaskCompleted}, and how many they have. */
    Map<TaskRun, Long> runsCompletedMoreThanOnce() {
        return moreThanOnce(ofType("TaskCompleted").stream().collect(Collectors.groupingBy(History::taskRun,
                Collectors.counting())));
    }

    /** Executions with more than one final event (completed, failed, canceled), and how many they have. */
    Map<String, Long> executionsEndedMoreThanOnce() {
        return moreThanOnce(rows.stream().filter(r -> EXECUTION_ENDS.contains(r.type()))
                .collect(Collectors.groupingBy(Row::executionId, Collectors.counting())));
    }

    /** Attempts whose {@code TaskStarted} was recorded more than once, and how many times. */
    Map<Attempt, Long> attemptsStartedMoreThanOnce() {
        return moreThanOnce(ofType("TaskStarted").stream().collect(Collectors.groupingBy(History::attempt,
                Collectors.counting())));
    }

    /** Per task run, the attempt numbers started, in order of recording. */
    Map<TaskRun, List<Integer>> attemptsStarted() {
        Map<TaskRun, List<Integer>> started = new LinkedHashMap<>();
        for (Row r : ofType("TaskStarted")) {
            started.computeIfAbsent(taskRun(r), k -> new ArrayList<>()).add(r.attempt());
        }
        return started;
    }

    /** Task runs with more than one attempt started, with the attempt numbers. */
    Map<TaskRun, List<Integer>> runsWithSeveralAttempts() {
        Map<TaskRun, List<Integer>> several = new LinkedHashMap<>();
        attemptsStarted().forEach((run, attempts) -> {
            if (attempts.size() > 1) {
                several.put(run, attempts);
            }
        });
        return several;
    }

    /**
     * The attempts of the executions {@code executions} accepts that were running at {@code instant}: started
     * before it, and not ended before it.
     */
    Set<Attempt> runningAt(Instant instant, Predicate<String> executions) {
        Set<Attempt> running = new HashSet<>();
        for (Row r : rows) {
            if (!r.recordedAt().isBefore(instant) || !executions.test(r.executionId()) || r.attempt() == null) {
                continue;
            }
            if (r.type().equals("TaskStarted")) {
                running.add(attempt(r));
            } else if (ATTEMPT_ENDS.contains(r.type())) {
                running.remove(attempt(r));
            }
        }
        return running;
    }

    /** Executions with an event before {@code instant} and no final event before it. */
    Set<String> unfinishedAt(Instant instant) {
        Set<String> seen = new HashSet<>();
        Set<String> ended = new HashSet<>();
        for (Row r : rows) {
            if (r.recordedAt().isBefore(instant)) {
                seen.add(r.executionId());
                if (EXECUTION_ENDS.contains(r.type())) {
                    ended.add(r.executionId());
                }
            }
        }
        seen.removeAll(ended);
        return seen;
    }

    /** When the first event of the execution recorded after {@code instant} was recorded. */
    Optional<Instant> firstEventAfter(String executionId, Instant instant) {
        return rows.stream().filter(r -> r.executionId().equals(executionId) && r.recordedAt().isAfter(instant))
                .map(Row::recordedAt).min(Instant::compareTo);
    }

    /** The first event recorded after {@code instant}, per execution. */
    Map<String, Instant> firstEventsAfter(Instant instant) {
        Map<String, Instant> first = new HashMap<>();
        for (Row r : rows) {
            if (r.recordedAt().isAfter(instant)) {
                first.merge(r.executionId(), r.recordedAt(), (a, b) -> a.isBefore(b) ? a : b);
            }
        }
        return first;
    }

    /** The {@code TaskStarted} events recorded at or after {@code instant} of an attempt after the first. */
    List<Row> restartsFrom(Instant instant, Predicate<String> executions) {
        return ofType("TaskStarted").stream().filter(r -> r.attempt() > 1 && !r.recordedAt().isBefore(instant)
                && executions.test(r.executionId())).toList();
    }

    /** At most five of {@code items}, then how many more: for failure messages that stay readable. */
    static List<String> brief(java.util.Collection<?> items) {
        List<String> out = items.stream().limit(5).map(String::valueOf).collect(Collectors.toCollection(ArrayList::new));
        if (items.size() > 5) {
            out.add("... and " + (items.size() - 5) + " more");
        }
        return out;
    }

    /** At most five entries of {@code map}, then how many more. */
    static List<String> brief(Map<?, ?> map) {
        return brief(map.entrySet());
    }

    private static TaskRun taskRun(Row r) {
        return new TaskRun(r.executionId(), r.taskId(), r.run());
    }

    private static Attempt attempt(Row r) {
        return new Attempt(r.executionId(), r.taskId(), r.run(), r.attempt());
    }

    private static <K> Map<K, Long> moreThanOnce(Map<K, Long> counts) {
        Map<K, Long> more = new LinkedHashMap<>();
        counts.forEach((k, n) -> {
            if (n > 1) {
                more.put(k, n);
            }
        });
        return more;
    }
}
