package io.harmonia.runtime;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
     * {@code attempt} is the failed attempt of a {@code TaskRetryScheduled}. {@code origin} is the id of the replica
     * whose connection inserted it, when {@link #trackOrigins()} was called before (else null).
     */
    record Row(String executionId, int version, String type, String taskId, Integer run, Integer attempt,
            Instant recordedAt, String origin) {}

    /** Postgres' application_name of each replica's connections: this prefix and the replica id. */
    static final String APPLICATION_NAME_PREFIX = "harmonia-";

    private static final String EVENTS = "select substr(e.stream_id, 11), e.stream_version, e.event_type,"
            + " e.payload->>'task_id', (e.payload->>'run')::int,"
            + " coalesce(e.payload->>'attempt', e.payload->>'failed_attempt')::int, e.recorded_at, %s"
            + " from events e %s where e.stream_id like 'execution-%%' order by e.stream_id, e.stream_version";
    private static final String ORIGINS = "test_event_origins";

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

    /**
     * From now on, records which replica inserted each event (a test-only table {@value #ORIGINS} filled by a
     * trigger on {@code events} with the inserting connection's application_name, which {@link Replicas} sets to
     * {@value #APPLICATION_NAME_PREFIX}<replica id>). Call it once the schema exists (a replica is ready).
     */
    void trackOrigins() throws SQLException {
        try (Connection c = connector.open(); Statement st = c.createStatement()) {
            st.execute("create table if not exists " + ORIGINS
                    + " (global_position bigint primary key, application_name text not null)");
            st.execute("create or replace function test_record_event_origin() returns trigger language plpgsql as"
                    + " $$ begin insert into " + ORIGINS + " values (new.global_position,"
                    + " current_setting('application_name')); return null; end $$");
            st.execute("drop trigger if exists test_event_origin on events");
            st.execute("create trigger test_event_origin after insert on events for each row execute function"
                    + " test_record_event_origin()");
        }
    }

    /** Every execution event, by execution and version. */
    History history() throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (Connection c = connector.open()) {
            boolean tracked;
            try (ResultSet rs = c.createStatement().executeQuery("select to_regclass('" + ORIGINS + "') is not null")) {
                rs.next();
                tracked = rs.getBoolean(1);
            }
            String sql = tracked
                    ? String.format(EVENTS, "o.application_name", "left join " + ORIGINS
                            + " o on o.global_position = e.global_position")
                    : String.format(EVENTS, "null", "");
            try (ResultSet rs = c.createStatement().executeQuery(sql)) {
                while (rs.next()) {
                    String app = rs.getString(8);
                    String origin = app != null && app.startsWith(APPLICATION_NAME_PREFIX)
                            ? app.substring(APPLICATION_NAME_PREFIX.length()) : app;
                    rows.add(new Row(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4),
                            (Integer) rs.getObject(5), (Integer) rs.getObject(6), rs.getTimestamp(7).toInstant(),
                            origin));
                }
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
