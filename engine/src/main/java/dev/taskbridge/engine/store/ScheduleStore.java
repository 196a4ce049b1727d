package dev.taskbridge.engine.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.sql.DataSource;

import dev.taskbridge.plugin.Payload;

/**
 * Schedules ({@code tb_schedule}) and what their firings came to ({@code tb_schedule_run}). The
 * schedule's row is its only home, {@code next_fire_at} included: the firing cursor moves by a
 * guarded update ({@link #advance}), so two nodes, or a firing and an operator's change, never
 * both move it.
 */
public final class ScheduleStore {

    private static final String UNIQUE_VIOLATION = "23505";
    private static final String COLUMNS = "id, name, task_type, owner, media_type, payload, options, cron, time_zone, "
            + "interval_ms, anchor_at, missed_firings, next_fire_at, paused_by, paused_at, created_at, changed_by, changed_at, type_version";

    private final DataSource dataSource;

    public ScheduleStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Thrown by {@link #insert} and {@link #change} when another schedule has the name. */
    public static final class NameTakenException extends RuntimeException {
        public NameTakenException(String name) {
            super("another schedule is named " + name);
        }
    }

    public void insert(Schedule schedule) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement("INSERT INTO tb_schedule (" + COLUMNS
                     + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, schedule.id());
            insert.setString(2, schedule.name());
            insert.setString(3, schedule.taskType());
            insert.setString(4, schedule.owner());
            insert.setString(5, schedule.payload().mediaType());
            insert.setBytes(6, schedule.payload().body());
            insert.setString(7, SubmissionOptions.encode(schedule.payload().options()));
            insert.setString(8, schedule.cron());
            insert.setString(9, schedule.timeZone());
            setMillis(insert, 10, schedule.interval());
            setInstant(insert, 11, schedule.anchorAt());
            insert.setString(12, schedule.missedFirings().name());
            setInstant(insert, 13, schedule.nextFireAt());
            insert.setString(14, schedule.pausedBy());
            setInstant(insert, 15, schedule.pausedAt());
            setInstant(insert, 16, schedule.createdAt());
            insert.setString(17, schedule.changedBy());
            setInstant(insert, 18, schedule.changedAt());
            insert.setObject(19, schedule.typeVersion(), Types.INTEGER);
            insert.executeUpdate();
        } catch (SQLException e) {
            throw failure(e, schedule.name(), "could not store schedule " + schedule.name());
        }
    }

    /** The longest the options of a schedule may be, written out as stored. */
    public static final int MAX_OPTIONS_LENGTH = 4000;

    /** How long the options are as the store writes them. */
    public static int optionsLength(Map<String, String> options) {
        String encoded = SubmissionOptions.encode(options);
        return encoded == null ? 0 : encoded.length();
    }

    /**
     * Replaces what its author wrote (name, task, rule, policy), its owner, its cursor and anchor
     * with it, if its cursor is still {@code cursorWas}.
     *
     * @return false when there is no such schedule, or a firing moved its cursor meanwhile
     */
    public boolean change(Schedule schedule, Instant cursorWas) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement("UPDATE tb_schedule SET name = ?, task_type = ?, "
                     + "media_type = ?, payload = ?, options = ?, cron = ?, time_zone = ?, interval_ms = ?, anchor_at = ?, "
                     + "missed_firings = ?, next_fire_at = ?, changed_by = ?, changed_at = ?, owner = ?, type_version = ? "
                     + "WHERE id = ? AND (next_fire_at = ? OR next_fire_at IS NULL AND ? IS NULL)")) {
            update.setString(1, schedule.name());
            update.setString(2, schedule.taskType());
            update.setString(3, schedule.payload().mediaType());
            update.setBytes(4, schedule.payload().body());
            update.setString(5, SubmissionOptions.encode(schedule.payload().options()));
            update.setString(6, schedule.cron());
            update.setString(7, schedule.timeZone());
            setMillis(update, 8, schedule.interval());
            setInstant(update, 9, schedule.anchorAt());
            update.setString(10, schedule.missedFirings().name());
            setInstant(update, 11, schedule.nextFireAt());
            update.setString(12, schedule.changedBy());
            setInstant(update, 13, schedule.changedAt());
            update.setString(14, schedule.owner());
            update.setObject(15, schedule.typeVersion(), Types.INTEGER);
            update.setString(16, schedule.id());
            setInstant(update, 17, cursorWas);
            setInstant(update, 18, cursorWas);
            return update.executeUpdate() == 1;
        } catch (SQLException e) {
            throw failure(e, schedule.name(), "could not change schedule " + schedule.id());
        }
    }

    /** Pauses a schedule that fires; false when it is paused already or unknown. */
    public boolean pause(String id, String by, Instant at) {
        return update("UPDATE tb_schedule SET paused_by = ?, paused_at = ? WHERE id = ? AND paused_at IS NULL",
                by, utc(at), id) == 1;
    }

    /**
     * Resumes a paused schedule from {@code nextFireAt}: the firings that fell in the pause are
     * not made. False when it was not paused or is unknown.
     */
    public boolean resume(String id, Instant nextFireAt) {
        return update("UPDATE tb_schedule SET paused_by = NULL, paused_at = NULL, next_fire_at = ? "
                + "WHERE id = ? AND paused_at IS NOT NULL", utc(nextFireAt), id) == 1;
    }

    /** Deletes a schedule and its runs; the tasks it submitted stay. False when unknown. */
    public boolean delete(String id) {
        try {
            return LocalTransaction.run(dataSource, connection -> {
                try (PreparedStatement runs = connection.prepareStatement("DELETE FROM tb_schedule_run WHERE schedule_id = ?");
                     PreparedStatement schedule = connection.prepareStatement("DELETE FROM tb_schedule WHERE id = ?")) {
                    runs.setString(1, id);
                    runs.executeUpdate();
                    schedule.setString(1, id);
                    return schedule.executeUpdate() == 1;
                }
            });
        } catch (SQLException e) {
            throw new TaskStoreException("could not delete schedule " + id, e);
        }
    }

    public Optional<Schedule> find(String id) {
        List<Schedule> found = query("SELECT " + COLUMNS + " FROM tb_schedule WHERE id = ?", id);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** Every schedule, by name. */
    public List<Schedule> all() {
        return query("SELECT " + COLUMNS + " FROM tb_schedule ORDER BY name");
    }

    /** Schedules that fire and have a firing due at {@code now}. */
    public List<Schedule> due(Instant now) {
        return query("SELECT " + COLUMNS + " FROM tb_schedule WHERE paused_at IS NULL AND next_fire_at <= ? "
                + "ORDER BY next_fire_at", utc(now));
    }

    /** The names of the paused schedules, for a probe: read within {@code timeout}, without their payloads. */
    public List<String> pausedNames(Duration timeout) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT name FROM tb_schedule WHERE paused_at IS NOT NULL ORDER BY name")) {
            select.setQueryTimeout((int) Math.max(1, timeout.toSeconds()));
            try (ResultSet rows = select.executeQuery()) {
                List<String> names = new ArrayList<>();
                while (rows.next()) {
                    names.add(rows.getString(1));
                }
                return names;
            }
        } catch (SQLException e) {
            throw new TaskStoreException("could not read the paused schedules", e);
        }
    }

    /** The next firing of any schedule that fires. */
    public Optional<Instant> earliest() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT MIN(next_fire_at) FROM tb_schedule WHERE paused_at IS NULL");
             ResultSet row = select.executeQuery()) {
            return Optional.ofNullable(row.next() ? instant(row, 1) : null);
        } catch (SQLException e) {
            throw new TaskStoreException("could not read when the next schedule fires", e);
        }
    }

    /**
     * Moves a schedule's cursor from {@code from} to {@code to} (null: no firing left), if nobody
     * moved it meanwhile and it is not paused.
     *
     * @return whether this call moved it
     */
    public boolean advance(String id, Instant from, Instant to) {
        return update("UPDATE tb_schedule SET next_fire_at = ? WHERE id = ? AND next_fire_at = ? AND paused_at IS NULL",
                utc(to), id, utc(from)) == 1;
    }

    /** Records what a firing came to, once: a second record of the same firing (a retried look, another node) is ignored. */
    public void record(String scheduleId, Instant fireAt, ScheduleRun.Outcome outcome, String taskId, String detail,
                       Instant at) {
        record(scheduleId, fireAt, null, outcome, taskId, detail, at);
    }

    /**
     * Records that the firings from {@code from} to {@code until} were skipped, in one row. A stretch
     * from the same firing recorded before is extended to {@code until}: a start that recorded it
     * and then failed to move the schedule's cursor leaves the cursor on {@code from}, and the next
     * start, later, skips from there to a later firing; keeping the first row as it was would leave
     * the firings after its end neither made nor recorded. None of the firings it is extended over
     * has a task: a firing is made only once the cursor is on it ({@code ScheduleFirings}).
     */
    public void recordSkipped(String scheduleId, Instant from, Instant until, String detail, Instant at) {
        if (!record(scheduleId, from, until, ScheduleRun.Outcome.SKIPPED, null, detail, at)) {
            update("UPDATE tb_schedule_run SET until_at = ?, detail = ?, recorded_at = ? WHERE schedule_id = ? AND fire_at = ? "
                            + "AND outcome = 'SKIPPED' AND COALESCE(until_at, fire_at) < ?",
                    utc(until), detail == null ? null : TaskHistory.shorten(detail), utc(at), scheduleId, utc(from), utc(until));
        }
    }

    /** @return false when the firing was recorded before (this record is then ignored) */
    private boolean record(String scheduleId, Instant fireAt, Instant until, ScheduleRun.Outcome outcome, String taskId,
                        String detail, Instant at) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement("INSERT INTO tb_schedule_run "
                     + "(schedule_id, fire_at, outcome, task_id, detail, recorded_at, until_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, scheduleId);
            setInstant(insert, 2, fireAt);
            insert.setString(3, outcome.name());
            insert.setString(4, taskId);
            insert.setString(5, detail == null ? null : TaskHistory.shorten(detail));
            setInstant(insert, 6, at);
            setInstant(insert, 7, until);
            insert.executeUpdate();
            return true;
        } catch (SQLException e) {
            if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw new TaskStoreException("could not record the firing at " + fireAt + " of schedule " + scheduleId, e);
            }
            return false;
        }
    }

    /** The schedule's last runs, newest first, each with its task's state as it is now. */
    public List<ScheduleRun> runs(String scheduleId, int limit) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT r.schedule_id, r.fire_at, r.outcome, r.task_id, "
                     + "t.status, r.detail, r.recorded_at, r.until_at FROM tb_schedule_run r LEFT JOIN tb_task t ON t.id = r.task_id "
                     + "WHERE r.schedule_id = ? ORDER BY r.fire_at DESC LIMIT ?")) {
            select.setString(1, scheduleId);
            select.setInt(2, limit);
            try (ResultSet rows = select.executeQuery()) {
                List<ScheduleRun> runs = new ArrayList<>();
                while (rows.next()) {
                    String state = rows.getString(5);
                    runs.add(new ScheduleRun(rows.getString(1), instant(rows, 2), ScheduleRun.Outcome.valueOf(rows.getString(3)),
                            rows.getString(4), state == null ? null : TaskState.valueOf(state), rows.getString(6),
                            instant(rows, 7), instant(rows, 8)));
                }
                return runs;
            }
        } catch (SQLException e) {
            throw new TaskStoreException("could not read the runs of schedule " + scheduleId, e);
        }
    }

    /** Deletes the schedule's runs but its {@code keep} latest. */
    public void prune(String scheduleId, int keep) {
        try (Connection connection = dataSource.getConnection()) {
            Instant oldestKept = null;
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT fire_at FROM tb_schedule_run WHERE schedule_id = ? ORDER BY fire_at DESC LIMIT 1 OFFSET ?")) {
                select.setString(1, scheduleId);
                select.setInt(2, keep - 1);
                try (ResultSet row = select.executeQuery()) {
                    if (row.next()) {
                        oldestKept = instant(row, 1);
                    }
                }
            }
            if (oldestKept != null) {
                try (PreparedStatement delete = connection.prepareStatement(
                        "DELETE FROM tb_schedule_run WHERE schedule_id = ? AND fire_at < ?")) {
                    delete.setString(1, scheduleId);
                    setInstant(delete, 2, oldestKept);
                    delete.executeUpdate();
                }
            }
        } catch (SQLException e) {
            throw new TaskStoreException("could not prune the runs of schedule " + scheduleId, e);
        }
    }

    private RuntimeException failure(SQLException e, String name, String what) {
        if (UNIQUE_VIOLATION.equals(e.getSQLState()) && String.valueOf(e.getMessage()).toLowerCase().contains("tb_schedule_name_key")) {
            return new NameTakenException(name);
        }
        return new TaskStoreException(what, e);
    }

    private int update(String sql, Object... args) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                if (args[i] == null) {
                    update.setNull(i + 1, Types.TIMESTAMP_WITH_TIMEZONE);
                } else {
                    update.setObject(i + 1, args[i]);
                }
            }
            return update.executeUpdate();
        } catch (SQLException e) {
            throw new TaskStoreException("could not change a schedule", e);
        }
    }

    private List<Schedule> query(String sql, Object... args) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                select.setObject(i + 1, args[i]);
            }
            try (ResultSet rows = select.executeQuery()) {
                List<Schedule> schedules = new ArrayList<>();
                while (rows.next()) {
                    Long intervalMillis = rows.getObject("interval_ms", Long.class);
                    schedules.add(new Schedule(rows.getString("id"), rows.getString("name"), rows.getString("task_type"),
                            rows.getString("owner"), new Payload(rows.getString("media_type"), rows.getBytes("payload"),
                                    SubmissionOptions.decode(rows.getString("options"))),
                            rows.getString("cron"), rows.getString("time_zone"),
                            intervalMillis == null ? null : Duration.ofMillis(intervalMillis), instant(rows, "anchor_at"),
                            MissedFirings.valueOf(rows.getString("missed_firings")), instant(rows, "next_fire_at"),
                            rows.getString("paused_by"), instant(rows, "paused_at"), instant(rows, "created_at"),
                            rows.getString("changed_by"), instant(rows, "changed_at"),
                            rows.getObject("type_version", Integer.class)));
                }
                return schedules;
            }
        } catch (SQLException e) {
            throw new TaskStoreException("could not read schedules", e);
        }
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static void setInstant(PreparedStatement statement, int index, Instant instant) throws SQLException {
        statement.setObject(index, utc(instant), Types.TIMESTAMP_WITH_TIMEZONE);
    }

    private static void setMillis(PreparedStatement statement, int index, Duration duration) throws SQLException {
        if (duration == null) {
            statement.setNull(index, Types.BIGINT);
        } else {
            statement.setLong(index, duration.toMillis());
        }
    }

    private static Instant instant(ResultSet row, String column) throws SQLException {
        OffsetDateTime value = row.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private static Instant instant(ResultSet row, int column) throws SQLException {
        OffsetDateTime value = row.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
