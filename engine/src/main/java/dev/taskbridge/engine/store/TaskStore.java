package dev.taskbridge.engine.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import javax.sql.DataSource;

import dev.taskbridge.engine.journal.Dialect;
import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.Payload;

/**
 * Tasks in a relational database (H2 or PostgreSQL), through plain JDBC on a pooled
 * {@link DataSource} the host owns.
 *
 * <p>Every method is one short statement or one small transaction of its own, so the store can be
 * called from any thread, inside or outside a container transaction. Writes made by a slot move a
 * task forward only: a late or repeated write after a crash never moves it back.
 */
public final class TaskStore {

    private static final String COLUMNS = "id, task_type, type_version, owner, idempotency_key, status, chunks_done, "
            + "chunks_total, items_done, items_failed, attempts, submitted_at, started_at, ended_at, result, "
            + "error_message, error_stack, error_ref, progress_at, run_generation";
    private static final int MAX_ERROR_MESSAGE = 2000;
    /** The row a run of generation {@code ?} of task {@code ?} may still change: not final, not retried since. */
    private static final String WHERE_RUN = "WHERE id = ? AND run_generation = ? AND status IN ('QUEUED', 'RUNNING')";
    private static final String UNIQUE_VIOLATION = "23505";
    /** The history's word for a chunk that committed in an earlier run. */
    public static final String REPLAYED = "committed before; not run again";

    private final DataSource dataSource;
    private final Clock clock;

    public TaskStore(DataSource dataSource, Clock clock) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Creates the engine's missing tables (tasks, and the slots' journal and snapshots) with the
     * script for this database. Safe to run at every start.
     */
    public void createSchema(Dialect dialect) {
        try (Connection connection = dataSource.getConnection();
             Statement statement = connection.createStatement()) {
            for (String sql : statements(dialect.schemaScript())) {
                statement.execute(sql);
            }
        } catch (SQLException e) {
            throw new TaskStoreException("could not create the engine's tables", e);
        }
    }

    private static List<String> statements(String script) {
        try (InputStream in = TaskStore.class.getResourceAsStream(script)) {
            if (in == null) {
                throw new IllegalStateException("schema script " + script + " is missing from the engine jar");
            }
            StringBuilder sql = new StringBuilder();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.strip().startsWith("--")) {
                    sql.append(line).append('\n');
                }
            }
            return List.of(sql.toString().split(";")).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read schema script " + script, e);
        }
    }

    /**
     * Stores a new task as QUEUED, or returns the one an earlier submission with the same owner
     * and idempotency key created. Concurrent submissions with one key create one task.
     */
    public Stored insert(NewTask task) {
        if (task.idempotencyKey() != null) {
            Optional<TaskRecord> existing = findByKey(task.owner(), task.idempotencyKey());
            if (existing.isPresent()) {
                return new Stored(existing.get(), false);
            }
        }
        String sql = "INSERT INTO tb_task (id, task_type, type_version, owner, idempotency_key, media_type, payload, "
                + "options, status, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        OffsetDateTime now = now();
        try {
            inTransaction(connection -> {
                try (PreparedStatement insert = connection.prepareStatement(sql)) {
                    insert.setString(1, task.id());
                    insert.setString(2, task.taskType());
                    insert.setInt(3, task.typeVersion());
                    insert.setString(4, task.owner());
                    insert.setString(5, task.idempotencyKey());
                    insert.setString(6, task.payload().mediaType());
                    insert.setBytes(7, task.payload().body());
                    insert.setString(8, SubmissionOptions.encode(task.payload().options()));
                    insert.setString(9, TaskState.QUEUED.name());
                    insert.setObject(10, now);
                    insert.executeUpdate();
                }
                history(connection, task.id(), now, TaskEventKind.SUBMITTED, null, "by " + task.owner());
                return null;
            });
        } catch (SQLException e) {
            if (task.idempotencyKey() != null && UNIQUE_VIOLATION.equals(e.getSQLState())) {
                // Another submission with the same key committed between our look-up and insert.
                return new Stored(findByKey(task.owner(), task.idempotencyKey()).orElseThrow(
                        () -> new TaskStoreException("idempotency key clash without a stored task", e)), false);
            }
            throw new TaskStoreException("could not store task " + task.id(), e);
        }
        return new Stored(find(task.id()).orElseThrow(), true);
    }

    public Optional<TaskRecord> find(String id) {
        return queryOne("SELECT " + COLUMNS + " FROM tb_task WHERE id = ?", id);
    }

    private Optional<TaskRecord> findByKey(String owner, String key) {
        return queryOne("SELECT " + COLUMNS + " FROM tb_task WHERE owner = ? AND idempotency_key = ?", owner, key);
    }

    /** The payload as submitted, with the submission's options. */
    public Optional<Payload> payload(String id) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT media_type, payload, options FROM tb_task WHERE id = ?")) {
            select.setString(1, id);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next()
                        ? Optional.of(new Payload(rows.getString(1), rows.getBytes(2), SubmissionOptions.decode(rows.getString(3))))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new TaskStoreException("could not read the payload of task " + id, e);
        }
    }

    /** The outcomes of a task's committed chunks, in chunk order, from their effect markers. */
    public List<ChunkOutcome> committedChunks(String id) {
        try (Connection connection = dataSource.getConnection()) {
            return ChunkMarkers.committed(connection, id);
        } catch (SQLException e) {
            throw new TaskStoreException("could not read the committed chunks of task " + id, e);
        }
    }

    public List<TaskRecord> list(TaskFilter filter) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM tb_task WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (filter.taskType() != null) {
            sql.append(" AND task_type = ?");
            args.add(filter.taskType());
        }
        if (filter.state() != null) {
            sql.append(" AND status = ?");
            args.add(filter.state().name());
        }
        if (filter.owner() != null) {
            sql.append(" AND owner = ?");
            args.add(filter.owner());
        }
        if (filter.submittedFrom() != null) {
            sql.append(" AND submitted_at >= ?");
            args.add(OffsetDateTime.ofInstant(filter.submittedFrom(), ZoneOffset.UTC));
        }
        if (filter.submittedTo() != null) {
            sql.append(" AND submitted_at < ?");
            args.add(OffsetDateTime.ofInstant(filter.submittedTo(), ZoneOffset.UTC));
        }
        sql.append(" ORDER BY submitted_at DESC, id LIMIT ? OFFSET ?");
        args.add(filter.limit());
        args.add(filter.offset());
        return query(sql.toString(), args.toArray());
    }

    /** Ids and types of every task that is not final, oldest first: the work to resume at start. */
    public List<TaskRecord> unfinished() {
        return query("SELECT " + COLUMNS + " FROM tb_task WHERE status IN ('QUEUED', 'RUNNING') ORDER BY submitted_at, id");
    }

    /** Running tasks whose last progress is older than {@code since}. */
    public long countRunningWithoutProgressSince(Instant since) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT COUNT(*) FROM tb_task WHERE status = 'RUNNING' AND progress_at < ?")) {
            select.setObject(1, OffsetDateTime.ofInstant(since, ZoneOffset.UTC));
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        } catch (SQLException e) {
            throw new TaskStoreException("could not count stalled tasks", e);
        }
    }

    /**
     * Checks that the database answers: a connection from the pool that the driver finds valid
     * within the timeout.
     *
     * @throws TaskStoreException saying why not
     */
    public void ping(Duration timeout) {
        try (Connection connection = dataSource.getConnection()) {
            if (!connection.isValid(Math.max(1, (int) timeout.toSeconds()))) {
                throw new TaskStoreException("the database did not answer within " + timeout.toSeconds() + " s",
                        new SQLException("connection not valid", "08000"));
            }
        } catch (SQLException e) {
            throw new TaskStoreException("the database cannot be reached", e);
        }
    }

    public Map<TaskState, Long> countByState() {
        return countByState(null);
    }

    /** Tasks per state, of one owner, or of everyone when {@code owner} is null. */
    public Map<TaskState, Long> countByState(String owner) {
        Map<TaskState, Long> counts = new EnumMap<>(TaskState.class);
        for (TaskState state : TaskState.values()) {
            counts.put(state, 0L);
        }
        String sql = "SELECT status, COUNT(*) FROM tb_task" + (owner == null ? "" : " WHERE owner = ?") + " GROUP BY status";
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(sql)) {
            if (owner != null) {
                select.setString(1, owner);
            }
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    counts.put(TaskState.valueOf(rows.getString(1)), rows.getLong(2));
                }
            }
            return counts;
        } catch (SQLException e) {
            throw new TaskStoreException("could not count tasks", e);
        }
    }

    /**
     * A slot starts (or resumes) the task: RUNNING, one more attempt.
     *
     * <p>Every write of a run names the run's generation ({@link TaskRecord#runGeneration()}, read
     * when the run started): a retry starts a new generation, so whatever a run that a cancel ended
     * still writes afterwards matches no row.
     *
     * @return false when the task is final or in another generation: the run must not go on
     */
    public boolean markStarted(String id, int generation, int chunksTotal) {
        OffsetDateTime now = now();
        return change(id, TaskEventKind.STARTED, null, chunksTotal + (chunksTotal == 1 ? " chunk" : " chunks"),
                "UPDATE tb_task SET status = 'RUNNING', chunks_total = ?, attempts = attempts + 1, "
                        + "started_at = COALESCE(started_at, ?), progress_at = ? " + WHERE_RUN,
                chunksTotal, now, now, id, generation);
    }

    /**
     * Progress after a chunk committed, on the connection of the chunk's own transaction, so that
     * progress and history commit with the chunk or not at all. Never moves a task backwards.
     *
     * @param chunk the chunk that committed, 0-based
     */
    public void markChunkCommitted(Connection connection, String id, int generation, int chunk, long itemsDone,
                                   long itemsFailed, String detail) throws SQLException {
        OffsetDateTime now = now();
        if (update(connection, "UPDATE tb_task SET chunks_done = ?, items_done = ?, items_failed = ?, progress_at = ? "
                + "WHERE id = ? AND run_generation = ? AND status = 'RUNNING' AND chunks_done <= ?",
                chunk + 1, itemsDone, itemsFailed, now, id, generation, chunk + 1) == 1) {
            history(connection, id, now, TaskEventKind.CHUNK_COMMITTED, chunk, detail);
        }
    }

    /**
     * Progress of a chunk that had committed before and is not run again (a task retried, or
     * resumed after a crash that followed the chunk's commit): the running totals, and a history
     * entry that says so.
     *
     * @param chunk the chunk, 0-based
     */
    public void markChunkReplayed(String id, int generation, int chunk, long itemsDone, long itemsFailed) {
        change(id, TaskEventKind.CHUNK_COMMITTED, chunk, REPLAYED,
                "UPDATE tb_task SET chunks_done = ?, items_done = ?, items_failed = ?, progress_at = ? "
                        + "WHERE id = ? AND run_generation = ? AND status = 'RUNNING' AND chunks_done <= ?",
                chunk + 1, itemsDone, itemsFailed, now(), id, generation, chunk + 1);
    }

    /** @return false when the run was over already (the task cancelled, or retried since) */
    public boolean markSucceeded(String id, int generation, String result) {
        return change(id, TaskEventKind.SUCCEEDED, null, null,
                "UPDATE tb_task SET status = 'SUCCEEDED', result = ?, ended_at = ?, chunks_done = chunks_total, "
                        + "error_message = NULL, error_stack = NULL, error_ref = NULL " + WHERE_RUN,
                result, now(), id, generation);
    }

    /**
     * @param reference the reference under which the failure was logged
     * @return false when the run was over already (the task cancelled, or retried since)
     */
    public boolean markFailed(String id, int generation, String message, String stackTrace, String reference) {
        String shortMessage = shorten(message);
        return change(id, TaskEventKind.FAILED, null, shorten(shortMessage + " (log reference " + reference + ")"),
                "UPDATE tb_task SET status = 'FAILED', error_message = ?, error_stack = ?, error_ref = ?, ended_at = ? "
                        + WHERE_RUN,
                shortMessage, stackTrace, reference, now(), id, generation);
    }

    /**
     * Cancels a task's run that is not final yet.
     *
     * @param generation the run to cancel, as read before: a retry in between makes it another run
     * @param by         who cancelled it
     * @return false when the task was already final, unknown, or retried since it was read
     */
    public boolean markCancelled(String id, int generation, String by) {
        return change(id, TaskEventKind.CANCELLED, null, "by " + by,
                "UPDATE tb_task SET status = 'CANCELLED', ended_at = ? " + WHERE_RUN, now(), id, generation);
    }

    /**
     * Puts a failed or cancelled task back in the queue, its error cleared, as a new run
     * generation. Chunks that committed before keep their effect markers, so running it again
     * does not repeat their effects.
     *
     * @param by who asked for it
     * @return false when the task was not failed or cancelled
     */
    public boolean requeue(String id, String by) {
        return change(id, TaskEventKind.REQUEUED, null, "by " + by,
                "UPDATE tb_task SET status = 'QUEUED', ended_at = NULL, error_message = NULL, error_stack = NULL, "
                        + "error_ref = NULL, progress_at = NULL, "
                        + "result = NULL, chunks_done = 0, items_done = 0, items_failed = 0, "
                        + "run_generation = run_generation + 1 "
                        + "WHERE id = ? AND status IN ('FAILED', 'CANCELLED')", id);
    }

    /** A task's history, oldest first; empty for an unknown task. */
    public List<TaskHistoryEntry> history(String id) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT at, kind, chunk, detail FROM tb_task_event WHERE task_id = ? ORDER BY id")) {
            select.setString(1, id);
            try (ResultSet rows = select.executeQuery()) {
                List<TaskHistoryEntry> entries = new ArrayList<>();
                while (rows.next()) {
                    int chunk = rows.getInt(3);
                    Integer chunkOrNull = rows.wasNull() ? null : chunk;
                    entries.add(new TaskHistoryEntry(instant(rows, "at"), TaskEventKind.valueOf(rows.getString(2)),
                            chunkOrNull, rows.getString(4)));
                }
                return entries;
            }
        } catch (SQLException e) {
            throw new TaskStoreException("could not read the history of task " + id, e);
        }
    }

    private static String shorten(String text) {
        return text.length() > MAX_ERROR_MESSAGE ? text.substring(0, MAX_ERROR_MESSAGE) : text;
    }

    private OffsetDateTime now() {
        return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    /**
     * One guarded update of a task and, if it changed the task, its history entry, in one
     * transaction.
     *
     * @param kind null for a change that history does not record
     * @return whether the task changed
     */
    private boolean change(String id, TaskEventKind kind, Integer chunk, String detail, String sql, Object... args) {
        try {
            return inTransaction(connection -> {
                boolean changed = update(connection, sql, args) == 1;
                if (changed && kind != null) {
                    history(connection, id, now(), kind, chunk, detail);
                }
                return changed;
            });
        } catch (SQLException e) {
            throw new TaskStoreException("could not update task " + id, e);
        }
    }

    private static int update(Connection connection, String sql, Object... args) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, args);
            return statement.executeUpdate();
        }
    }

    private static void history(Connection connection, String id, OffsetDateTime at, TaskEventKind kind, Integer chunk,
                                String detail) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO tb_task_event (task_id, at, kind, chunk, detail) VALUES (?, ?, ?, ?, ?)")) {
            insert.setString(1, id);
            insert.setObject(2, at);
            insert.setString(3, kind.name());
            if (chunk == null) {
                insert.setNull(4, Types.INTEGER);
            } else {
                insert.setInt(4, chunk);
            }
            insert.setString(5, detail == null ? null : shorten(detail));
            insert.executeUpdate();
        }
    }

    /**
     * Runs statements in one local transaction on a connection of their own. The store is called
     * outside container transactions, where a pooled connection takes local transactions.
     */
    private <T> T inTransaction(SqlWork<T> work) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            } finally {
                restoreAutoCommit(connection, autoCommit);
            }
        }
    }

    /** A connection that broke stays broken: its pool discards it, so a failure here changes nothing. */
    private static void restoreAutoCommit(Connection connection, boolean autoCommit) {
        try {
            connection.setAutoCommit(autoCommit);
        } catch (SQLException ignored) {
            // the failure that broke it is the one worth reporting
        }
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    private Optional<TaskRecord> queryOne(String sql, Object... args) {
        List<TaskRecord> rows = query(sql, args);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    private List<TaskRecord> query(String sql, Object... args) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(sql)) {
            bind(select, args);
            try (ResultSet rows = select.executeQuery()) {
                List<TaskRecord> records = new ArrayList<>();
                while (rows.next()) {
                    records.add(record(rows));
                }
                return records;
            }
        } catch (SQLException e) {
            throw new TaskStoreException("could not read tasks", e);
        }
    }

    private static void bind(PreparedStatement statement, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            if (args[i] == null) {
                statement.setNull(i + 1, Types.VARCHAR);
            } else {
                statement.setObject(i + 1, args[i]);
            }
        }
    }

    private static TaskRecord record(ResultSet row) throws SQLException {
        return new TaskRecord(
                row.getString("id"),
                row.getString("task_type"),
                row.getInt("type_version"),
                row.getString("owner"),
                row.getString("idempotency_key"),
                TaskState.valueOf(row.getString("status")),
                row.getInt("chunks_done"),
                row.getInt("chunks_total"),
                row.getLong("items_done"),
                row.getLong("items_failed"),
                row.getInt("attempts"),
                instant(row, "submitted_at"),
                instant(row, "started_at"),
                instant(row, "ended_at"),
                row.getString("result"),
                row.getString("error_message"),
                row.getString("error_stack"),
                row.getString("error_ref"),
                instant(row, "progress_at"),
                row.getInt("run_generation"));
    }

    private static Instant instant(ResultSet row, String column) throws SQLException {
        OffsetDateTime value = row.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
