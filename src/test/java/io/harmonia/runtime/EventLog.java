package io.harmonia.runtime;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the replicas' Postgres directly (JDBC), for assertions that must not depend on what the service answers:
 * the recorded execution events ({@code recorded_at} is the appending transaction's start, on Postgres' clock) and
 * the executions' statuses.
 */
final class EventLog {
    interface Connector {
        Connection open() throws SQLException;
    }

    /**
     * One execution event. {@code taskId}, {@code run} and {@code attempt} are null where the event has none;
     * {@code attempt} is the failed attempt of a {@code TaskRetryScheduled}.
     */
    record Row(String executionId, int version, String type, String taskId, Integer run, Integer attempt,
            Instant recordedAt) {}

    private static final String EVENTS = "select substr(stream_id, 11), stream_version, event_type,"
            + " payload->>'task_id', (payload->>'run')::int,"
            + " coalesce(payload->>'attempt', payload->>'failed_attempt')::int, recorded_at"
            + " from events where stream_id like 'execution-%' order by stream_id, stream_version";

    private final Connector connector;

    EventLog(Connector connector) {
        this.connector = connector;
    }

    /** Postgres' clock now: the instant to compare with {@code recorded_at}. */
    Instant now() throws SQLException {
        try (Connection c = connector.open(); ResultSet rs = c.createStatement().executeQuery(
                "select clock_timestamp()")) {
            rs.next();
            return rs.getTimestamp(1).toInstant();
        }
    }

    /** Every execution event, by execution and version. */
    History history() throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (Connection c = connector.open(); ResultSet rs = c.createStatement().executeQuery(EVENTS)) {
            while (rs.next()) {
                rows.add(new Row(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4),
                        (Integer) rs.getObject(5), (Integer) rs.getObject(6), rs.getTimestamp(7).toInstant()));
            }
        }
        return new History(rows);
    }

    /** How many executions of the workflow are in each status (the executions view). */
    Map<String, Long> statuses(String workflowId) throws SQLException {
        Map<String, Long> counts = new HashMap<>();
        try (Connection c = connector.open(); PreparedStatement ps = c.prepareStatement(
                "select status, count(*) from executions where workflow_id = ?::uuid group by status")) {
            ps.setString(1, workflowId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return counts;
    }

    /** Per execution of the workflow, when its first retry is due ({@code due_at} of its TaskRetryScheduled). */
    Map<String, Instant> retryDueAt(String workflowId) throws SQLException {
        Map<String, Instant> due = new HashMap<>();
        try (Connection c = connector.open(); PreparedStatement ps = c.prepareStatement(
                "select x.id::text, (e.payload->>'due_at')::timestamptz from events e join executions x"
                        + " on e.stream_id = 'execution-' || x.id where x.workflow_id = ?::uuid"
                        + " and e.event_type = 'TaskRetryScheduled' order by e.stream_version")) {
            ps.setString(1, workflowId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    due.putIfAbsent(rs.getString(1), rs.getTimestamp(2).toInstant());
                }
            }
        }
        return due;
    }

    /** How many events of this type the executions of the workflow have. */
    long count(String workflowId, String eventType) throws SQLException {
        try (Connection c = connector.open(); PreparedStatement ps = c.prepareStatement(
                "select count(*) from events e join executions x on e.stream_id = 'execution-' || x.id"
                        + " where x.workflow_id = ?::uuid and e.event_type = ?")) {
            ps.setString(1, workflowId);
            ps.setString(2, eventType);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
