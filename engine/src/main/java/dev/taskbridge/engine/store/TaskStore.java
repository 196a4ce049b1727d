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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;

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

    static final String COLUMNS = "id, task_type, type_version, owner, idempotency_key, status, chunks_done, "
            + "chunks_total, items_done, items_failed, attempts, submitted_at, started_at, ended_at, result, "
            + "error_message, error_stack, error_ref, progress_at, run_generation, trace_parent, run_at, priority, order_key";
    /** A task's payload as submitted, with the submission's options (read by {@link #payload(ResultSet)}). */
    private static final String PAYLOAD_COLUMNS = "media_type, payload, options";
    /** A listing's columns: never the payload, the result or the stack trace (see {@link TaskSummary}). */
    private static final String SUMMARY_COLUMNS = "id, task_type, type_version, owner, status, chunks_done, chunks_total, "
            + "items_done, items_failed, attempts, submitted_at, started_at, ended_at, error_message, error_ref, progress_at, run_at, priority, order_key";
    /** The row a run of generation {@code ?} of task {@code ?} may still change: not final, not retried since. */
    private static final String WHERE_RUN = "WHERE id = ? AND run_generation = ? AND status IN ('QUEUED', 'RUNNING')";
    /** {@link #markChunkCommitted}: whether the chunk was the last decides the status, the end and the result. */
    private static final String CHUNK_COMMITTED = "UPDATE tb_task SET "
            + "status = CASE WHEN ? THEN 'SUCCEEDED' ELSE 'RUNNING' END, "
            + "ended_at = CASE WHEN ? THEN ? ELSE ended_at END, "
            + "result = CASE WHEN ? THEN ? ELSE result END, "
            + "chunks_total = ?, chunks_done = ?, items_done = ?, items_failed = ?, progress_at = ?, "
            + "attempts = CASE WHEN status = 'QUEUED' THEN attempts + 1 ELSE attempts END, "
            + "started_at = COALESCE(started_at, ?) " + WHERE_RUN;
    private static final String MARK_FAILED = "UPDATE tb_task SET status = 'FAILED', error_message = ?, error_stack = ?, "
            + "error_ref = ?, ended_at = ? " + WHERE_RUN;
    private static final String UNIQUE_VIOLATION = "23505";

    private final DataSource dataSource;
    private final Clock clock;
    private final SubmissionBatches submissions = new SubmissionBatches(this::insertAll);

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
     * Stores a new task as QUEUED (SCHEDULED when it is to run later), or returns the one an earlier submission with the same owner
     * and idempotency key created. Concurrent submissions with one key create one task.
     *
     * <p>Concurrent submissions share a transaction (group commit, {@link SubmissionBatches}): the
     * first thread to find no batch being written writes every submission waiting at that moment
     * in one JDBC batch and one commit, and each caller returns once its own row has committed. A
     * submission that returns is durable; one that fails left nothing behind.
     */
    public Stored insert(NewTask task) {
        if (task.idempotencyKey() != null) {
            Optional<TaskRecord> existing = findByKey(task.owner(), task.idempotencyKey());
            if (existing.isPresent()) {
                return new Stored(existing.get(), false);
            }
        }
        return submissions.submit(task, now());
    }

    /** Writes submissions in one transaction; if that fails, each alone, so one bad row fails only its own caller. */
    private void insertAll(List<SubmissionBatches.Pending> batch) {
        if (batch.size() > 1) {
            try {
                inTransaction(connection -> {
                    try (PreparedStatement insert = connection.prepareStatement(INSERT_TASK)) {
                        for (SubmissionBatches.Pending pending : batch) {
                            bindInsert(insert, pending.task(), pending.at());
                            insert.addBatch();
                        }
                        insert.executeBatch();
                    }
                    return null;
                });
                batch.forEach(pending -> pending.stored(new Stored(inserted(pending.task(), pending.at()), true)));
                return;
            } catch (SQLException | RuntimeException e) {
                // an idempotency key that a concurrent submission took, or one bad row: sort them out one by one
            }
        }
        batch.forEach(this::insertOne);
    }

    private void insertOne(SubmissionBatches.Pending pending) {
        NewTask task = pending.task();
        try {
            inTransaction(connection -> {
                try (PreparedStatement insert = connection.prepareStatement(INSERT_TASK)) {
                    bindInsert(insert, task, pending.at());
                    insert.executeUpdate();
                }
                return null;
            });
            pending.stored(new Stored(inserted(task, pending.at()), true));
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                // The batch may have committed and only its acknowledgement got lost: then the row is there, ours.
                Optional<TaskRecord> ours = find(task.id());
                if (ours.isPresent()) {
                    pending.stored(new Stored(ours.get(), true));
                    return;
                }
            }
            if (task.idempotencyKey() != null && UNIQUE_VIOLATION.equals(e.getSQLState())) {
                // Another submission with the same key committed between our look-up and insert.
                Optional<TaskRecord> earlier = findByKey(task.owner(), task.idempotencyKey());
                if (earlier.isPresent()) {
                    pending.stored(new Stored(earlier.get(), false));
                    return;
                }
            }
            pending.failed(new TaskStoreException("could not store task " + task.id(), e));
        } catch (RuntimeException e) {
            pending.failed(e);
        }
    }

    private static final String INSERT_TASK = "INSERT INTO tb_task (id, task_type, type_version, owner, idempotency_key, "
            + "media_type, payload, options, status, submitted_at, trace_parent, run_at, priority, order_key) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private static void bindInsert(PreparedStatement insert, NewTask task, OffsetDateTime at) throws SQLException {
        insert.setString(1, task.id());
        insert.setString(2, task.taskType());
        insert.setInt(3, task.typeVersion());
        insert.setString(4, task.owner());
        insert.setString(5, task.idempotencyKey());
        insert.setString(6, task.payload().mediaType());
        insert.setBytes(7, task.payload().body());
        insert.setString(8, SubmissionOptions.encode(task.payload().options()));
        insert.setString(9, task.state().name());
        insert.setObject(10, at);
        insert.setString(11, task.traceParent());
        insert.setObject(12, task.runAt() == null ? null : OffsetDateTime.ofInstant(task.runAt(), ZoneOffset.UTC), Types.TIMESTAMP_WITH_TIMEZONE);
        insert.setInt(13, task.priority());
        insert.setString(14, task.orderKey());
    }

    /** The row an insert wrote, as {@link #find} would read it back. */
    private static TaskRecord inserted(NewTask task, OffsetDateTime at) {
        return new TaskRecord(task.id(), task.taskType(), task.typeVersion(), task.owner(), task.idempotencyKey(),
                task.state(), 0, 0, 0, 0, 0, at.toInstant(), null, null, null, null, null, null, null, 0,
                task.traceParent(), task.runAt(), task.priority(), task.orderKey());
    }

    /**
     * Stores a task's rollback and links the task to it, in one transaction (design note 030). The
     * link is set only while the task has ended, in the generation read, with no rollback yet; the
     * row lock it takes orders it with a retry's requeue (which refuses a linked task), so a task
     * is either retried or rolled back, and rolled back once.
     *
     * The task's history records who asked ({@code by}), in the same transaction.
     *
     * @return the rollback as stored, or empty when the task changed since it was read (retried,
     *         or rolled back by another caller): nothing was stored
     */
    public Optional<Stored> insertRollback(NewTask rollback, String originalId, int originalGeneration, String by) {
        OffsetDateTime at = now();
        try {
            return inTransaction(connection -> insertRollback(connection, rollback, originalId, originalGeneration, by, at));
        } catch (SQLException e) {
            throw new TaskStoreException("could not store the rollback of task " + originalId, e);
        }
    }

    private Optional<Stored> insertRollback(Connection connection, NewTask rollback, String originalId, int originalGeneration,
                                            String by, OffsetDateTime at) throws SQLException {
        if (update(connection, "UPDATE tb_task SET rolled_back_by = ? WHERE id = ? AND run_generation = ? "
                + "AND status IN ('SUCCEEDED', 'FAILED', 'CANCELLED') AND rolled_back_by IS NULL",
                rollback.id(), originalId, originalGeneration) != 1) {
            return Optional.empty();
        }
        try (PreparedStatement insert = connection.prepareStatement(INSERT_TASK)) {
            bindInsert(insert, rollback, at);
            insert.executeUpdate();
        }
        // who asked: the rollback runs as the original's owner, so nothing else says it
        history(connection, originalId, at, TaskEventKind.ROLLBACK_REQUESTED, null, "by " + by + ": task " + rollback.id());
        return Optional.of(new Stored(inserted(rollback, at), true));
    }

    /** The task that rolls this one back, if one was stored (it may have been purged since). */
    public Optional<String> rolledBackBy(String id) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT rolled_back_by FROM tb_task WHERE id = ?")) {
            select.setString(1, id);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.ofNullable(row.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new TaskStoreException("could not read task " + id, e);
        }
    }

    public Optional<TaskRecord> find(String id) {
        return queryOne("SELECT " + COLUMNS + " FROM tb_task WHERE id = ?", id);
    }

    /** The task an owner submitted with that idempotency key, if any. */
    public Optional<TaskRecord> findByKey(String owner, String key) {
        return queryOne("SELECT " + COLUMNS + " FROM tb_task WHERE owner = ? AND idempotency_key = ?", owner, key);
    }

    /** A task's row and its payload as submitted, with the submission's options. */
    public record TaskToRun(TaskRecord task, Payload payload) {
    }

    /**
     * A task's row with its payload, in one read: what a slot needs to run a task that this engine
     * did not keep from its submission (resumed after a restart, retried, or waiting long).
     */
    public Optional<TaskToRun> findToRun(String id) {
        return queryOne("SELECT " + COLUMNS + ", " + PAYLOAD_COLUMNS + " FROM tb_task WHERE id = ?",
                row -> new TaskToRun(record(row), payload(row)), id);
    }

    /** The payload as submitted, with the submission's options. */
    public Optional<Payload> payload(String id) {
        return queryOne("SELECT " + PAYLOAD_COLUMNS + " FROM tb_task WHERE id = ?", TaskStore::payload, id);
    }

    /** The outcomes of a task's committed chunks, in chunk order, from their effect markers. */
    public List<ChunkOutcome> committedChunks(String id) {
        try (Connection connection = dataSource.getConnection()) {
            return ChunkMarkers.committed(connection, id);
        } catch (SQLException e) {
            throw new TaskStoreException("could not read the committed chunks of task " + id, e);
        }
    }

    /** Tasks matching the filter, newest first, without their big columns. */
    public List<TaskSummary> list(TaskFilter filter) {
        StringBuilder sql = new StringBuilder("SELECT " + SUMMARY_COLUMNS + " FROM tb_task WHERE 1 = 1");
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
        if (filter.orderKey() != null) {
            sql.append(" AND order_key = ?");
            args.add(filter.orderKey());
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
        return query(sql.toString(), TaskStore::summary, args.toArray());
    }

    /**
     * Every task that is not final: the work to resume at start, higher priorities first, then
     * oldest first (ties by id, which grows: {@code TaskIds}).
     */
    public List<TaskRecord> unfinished() {
        return query("SELECT " + COLUMNS + " FROM tb_task WHERE status IN ('QUEUED', 'RUNNING') ORDER BY priority DESC, submitted_at, id");
    }

    /**
     * How many tasks are unfinished (scheduled, queued or running) per type and the version of it
     * they were submitted under: what the engine's start checks its plugins against (note 028).
     */
    public List<UnfinishedVersion> unfinishedVersions() {
        return query("SELECT task_type, type_version, COUNT(*) FROM tb_task WHERE status IN ('SCHEDULED', 'QUEUED', 'RUNNING') "
                + "GROUP BY task_type, type_version ORDER BY task_type, type_version",
                row -> new UnfinishedVersion(row.getString(1), row.getInt(2), row.getLong(3)));
    }

    /** Up to {@code limit} ids of a type's unfinished tasks of one version, oldest first. */
    public List<String> unfinishedIds(String taskType, int version, int limit) {
        return query("SELECT id FROM tb_task WHERE task_type = ? AND type_version = ? "
                + "AND status IN ('SCHEDULED', 'QUEUED', 'RUNNING') ORDER BY submitted_at, id LIMIT ?",
                row -> row.getString(1), taskType, version, limit);
    }

    /** Running tasks whose last progress is older than {@code since}, but for those of {@code exceptTypes}. */
    public long countRunningWithoutProgressSince(Instant since, Collection<String> exceptTypes) {
        String except = exceptTypes.isEmpty() ? "" : " AND task_type NOT IN ("
                + String.join(", ", Collections.nCopies(exceptTypes.size(), "?")) + ")";
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT COUNT(*) FROM tb_task WHERE status = 'RUNNING' AND progress_at < ?" + except)) {
            select.setObject(1, OffsetDateTime.ofInstant(since, ZoneOffset.UTC));
            int parameter = 2;
            for (String type : exceptTypes) {
                select.setString(parameter++, type);
            }
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
     * A slot starts (or resumes) the task: RUNNING, one more attempt, its progress as far as its
     * committed chunks go (a retried task keeps the chunks that committed before).
     *
     * <p>Every write of a run names the run's generation ({@link TaskRecord#runGeneration()}, read
     * when the run started): a retry starts a new generation, so whatever a run that a cancel ended
     * still writes afterwards matches no row.
     *
     * @return false when the task is final or in another generation: the run must not go on
     */
    public boolean markStarted(String id, int generation, int chunksTotal, int chunksDone, long itemsDone, long itemsFailed) {
        OffsetDateTime now = now();
        return updateOne(id, "UPDATE tb_task SET status = 'RUNNING', chunks_total = ?, chunks_done = ?, items_done = ?, "
                        + "items_failed = ?, attempts = attempts + 1, started_at = COALESCE(started_at, ?), progress_at = ? "
                        + WHERE_RUN + " AND chunks_done <= ?",
                chunksTotal, chunksDone, itemsDone, itemsFailed, now, now, id, generation, chunksDone);
    }

    /** A fresh task that its slot started, in which generation, with how many chunks, and when. */
    public record StartMark(String id, int generation, int chunksTotal, Instant at) {
    }

    /**
     * Shows fresh tasks as RUNNING, all in one transaction. Only tasks still QUEUED in that
     * generation change: a mark that comes after the task's first chunk, its end or its cancel
     * changes nothing.
     */
    public void markStarted(List<StartMark> marks) {
        try {
            inTransaction(connection -> {
                try (PreparedStatement update = connection.prepareStatement("UPDATE tb_task SET status = 'RUNNING', "
                        + "chunks_total = ?, attempts = attempts + 1, started_at = COALESCE(started_at, ?), progress_at = ? "
                        + "WHERE id = ? AND run_generation = ? AND status = 'QUEUED'")) {
                    // rows in id order, as a chunk group records its chunks: two writers of several rows
                    // that lock them in different orders can deadlock (TaskRowLockOrderTest)
                    for (StartMark mark : marks.stream().sorted(Comparator.comparing(StartMark::id)).toList()) {
                        OffsetDateTime at = OffsetDateTime.ofInstant(mark.at(), ZoneOffset.UTC);
                        update.setInt(1, mark.chunksTotal());
                        update.setObject(2, at);
                        update.setObject(3, at);
                        update.setString(4, mark.id());
                        update.setInt(5, mark.generation());
                        update.addBatch();
                    }
                    update.executeBatch();
                }
                return null;
            });
        } catch (SQLException e) {
            throw new TaskStoreException("could not mark " + marks.size() + " task(s) started", e);
        }
    }

    /**
     * Progress after a chunk committed, added to the batch of the chunk's own transaction, so that
     * progress commits with the chunk or not at all; for the task's last chunk, its success and
     * result too, so a task's end costs no transaction of its own. The run's start is stored with
     * it, if no write before did ({@link #markStarted(List)} writes it behind). One statement for
     * last chunks and others alike: a group's rows are then locked in the order they were added.
     *
     * @param chunk     the chunk that committed, 0-based
     * @param startedAt when the run started
     * @param last      whether it was the task's last chunk: the task then succeeded
     * @param result    the task's result when this was its last chunk
     * @param at        when the chunk committed ({@link #recordTime}): its progress's time, and the
     *                  task's end for a last chunk; the run that wrote it knows its own end by it ({@link #endedAt})
     * @param whenOver  what the batch throws when the run is over (cancelled, or retried since):
     *                  the chunk must roll back
     */
    public void markChunkCommitted(WriteBatch batch, String id, int generation, int chunk, int chunksTotal,
                                   long itemsDone, long itemsFailed, Instant startedAt, boolean last, String result,
                                   Instant at, Supplier<? extends Exception> whenOver) {
        OffsetDateTime when = OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
        batch.add(WriteBatch.Rows.EXISTING, CHUNK_COMMITTED, rows -> {
                    if (rows != 1) {
                        throw whenOver.get();
                    }
                }, last, last, when, last, result, chunksTotal, chunk + 1, itemsDone, itemsFailed, when,
                OffsetDateTime.ofInstant(startedAt, ZoneOffset.UTC), id, generation);
    }

    /**
     * When run {@code generation} of the task ended as {@code state}, if it did, on {@code
     * connection}: the time the transaction that ended it stored, which tells the run that wrote
     * it apart from any other.
     */
    public static Optional<Instant> endedAt(Connection connection, String id, int generation, TaskState state)
            throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT ended_at FROM tb_task WHERE id = ? AND run_generation = ? AND status = ?")) {
            select.setString(1, id);
            select.setInt(2, generation);
            select.setString(3, state.name());
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(row.getObject(1, OffsetDateTime.class).toInstant()) : Optional.empty();
            }
        }
    }

    /** As {@link #endedAt(Connection, String, int, TaskState)}, in a transaction of its own. */
    public Optional<Instant> endedAt(String id, int generation, TaskState state) {
        try (Connection connection = dataSource.getConnection()) {
            return endedAt(connection, id, generation, state);
        } catch (SQLException e) {
            throw new TaskStoreException("could not read the end of task " + id, e);
        }
    }

    /**
     * The time for a record written now, as the database keeps it (to the microsecond): a run
     * that writes it can then find it by that time ({@link #endedAt}).
     */
    public Instant recordTime() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    /**
     * The end of a task whose chunks had all committed before (the last one's transaction
     * normally stores it, so this is for tasks whose end a crash or an older version left unstored).
     *
     * @return false when the run was over already (the task cancelled, or retried since)
     */
    public boolean markSucceeded(String id, int generation, String result) {
        return updateOne(id, "UPDATE tb_task SET status = 'SUCCEEDED', result = ?, ended_at = ?, chunks_done = chunks_total, "
                        + "error_message = NULL, error_stack = NULL, error_ref = NULL " + WHERE_RUN,
                result, now(), id, generation);
    }

    /**
     * @param reference the reference under which the failure was logged
     * @return false when the run was over already (the task cancelled, or retried since)
     */
    public boolean markFailed(String id, int generation, String message, String stackTrace, String reference) {
        return markFailed(id, generation, message, stackTrace, reference, recordTime());
    }

    /** As {@link #markFailed(String, int, String, String, String)}, ended at {@code at} ({@link #recordTime}). */
    public boolean markFailed(String id, int generation, String message, String stackTrace, String reference, Instant at) {
        return updateOne(id, MARK_FAILED, TaskHistory.shorten(message), stackTrace, reference,
                OffsetDateTime.ofInstant(at, ZoneOffset.UTC), id, generation);
    }

    /**
     * As {@link #markFailed}, and in the same transaction the task's rollback stored and linked as
     * {@link #insertRollback} does: a failure policy's (design note 030), so that no crash can
     * leave a failed task without the rollback its policy asks for.
     *
     * @param by who asks for the rollback, as the task's history says it
     * @param ended when the task ended ({@link #recordTime})
     * @return empty when the run was over already (the task cancelled, or retried since): nothing
     *         was stored; else the rollback as stored
     */
    public Optional<Stored> markFailedAndRollBack(String id, int generation, String message, String stackTrace,
                                                  String reference, NewTask rollback, String by, Instant ended) {
        OffsetDateTime at = OffsetDateTime.ofInstant(ended, ZoneOffset.UTC);
        try {
            return inTransaction(connection -> {
                if (update(connection, MARK_FAILED, TaskHistory.shorten(message), stackTrace, reference, at, id, generation) != 1) {
                    return Optional.<Stored>empty();
                }
                // a running task has no rollback (one rolled back is never retried), so the link cannot be taken
                return Optional.of(insertRollback(connection, rollback, id, generation, by, at).orElseThrow(() ->
                        new IllegalStateException("task " + id + " was linked to a rollback while it ran")));
            });
        } catch (SQLException e) {
            throw new TaskStoreException("could not store the failure and the rollback of task " + id, e);
        }
    }

    /**
     * Cancels a task's run that is not final yet, or a task that is not due yet.
     *
     * @param generation the run to cancel, as read before: a retry in between makes it another run
     * @param by         who cancelled it
     * @return false when the task was already final, unknown, or retried since it was read
     */
    public boolean markCancelled(String id, int generation, String by) {
        return change(id, TaskEventKind.CANCELLED, null, "by " + by,
                "UPDATE tb_task SET status = 'CANCELLED', ended_at = ? "
                        + "WHERE id = ? AND run_generation = ? AND status IN ('SCHEDULED', 'QUEUED', 'RUNNING')",
                now(), id, generation);
    }

    /**
     * Puts a failed or cancelled task back in the queue, its error cleared, as a new run
     * generation. Chunks that committed before keep their effect markers, so running it again
     * does not repeat their effects. What the row held of the run that ended (when it started,
     * how it failed) moves into the task's history, as the row is about to hold the new run.
     *
     * @param by who asked for it
     * @return the new run generation; empty when the task was not failed or cancelled
     */
    public OptionalInt requeue(String id, String by) {
        try {
            return inTransaction(connection -> {
                int generation;
                OffsetDateTime startedAt;
                int chunksTotal;
                String failure;
                OffsetDateTime endedAt;
                try (PreparedStatement select = connection.prepareStatement("SELECT status, started_at, chunks_total, "
                        + "error_message, error_ref, ended_at, run_generation, rolled_back_by FROM tb_task WHERE id = ? FOR UPDATE")) {
                    select.setString(1, id);
                    try (ResultSet row = select.executeQuery()) {
                        if (!row.next()) {
                            return OptionalInt.empty();
                        }
                        TaskState state = TaskState.valueOf(row.getString(1));
                        // a task rolled back is not run again: its markers would skip the chunks its rollback undid
                        if (state != TaskState.FAILED && state != TaskState.CANCELLED || row.getString(8) != null) {
                            return OptionalInt.empty();
                        }
                        generation = row.getInt(7) + 1;
                        startedAt = row.getObject(2, OffsetDateTime.class);
                        chunksTotal = row.getInt(3);
                        failure = state == TaskState.FAILED ? TaskHistory.failureDetail(row.getString(4), row.getString(5)) : null;
                        endedAt = row.getObject(6, OffsetDateTime.class);
                    }
                }
                // A task stored by an earlier version has its start and failure as history rows already.
                if (!hasStoredSubmission(connection, id)) {
                    if (startedAt != null) {
                        history(connection, id, startedAt, TaskEventKind.STARTED, null, TaskHistory.chunksDetail(chunksTotal));
                    }
                    if (failure != null) {
                        history(connection, id, endedAt, TaskEventKind.FAILED, null, failure);
                    }
                }
                update(connection, "UPDATE tb_task SET status = 'QUEUED', ended_at = NULL, error_message = NULL, "
                        + "error_stack = NULL, error_ref = NULL, progress_at = NULL, started_at = NULL, "
                        + "result = NULL, chunks_done = 0, items_done = 0, items_failed = 0, "
                        + "run_generation = run_generation + 1 WHERE id = ?", id);
                history(connection, id, now(), TaskEventKind.REQUEUED, null, "by " + by);
                return OptionalInt.of(generation);
            });
        } catch (SQLException e) {
            throw new TaskStoreException("could not requeue task " + id, e);
        }
    }

    /** Whether the task's history was written whole, by a version before histories were derived. */
    private static boolean hasStoredSubmission(Connection connection, String id) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT 1 FROM tb_task_event WHERE task_id = ? AND kind = 'SUBMITTED'")) {
            select.setString(1, id);
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        }
    }

    /**
     * A task's history, oldest first; empty for an unknown task. Most of it is derived from the
     * task's row and its chunks' markers ({@link TaskHistory#of}); stored history rows hold only
     * what has no other home: operators' actions and what a requeue took from the row about the
     * run before (see {@link #requeue}).
     */
    public List<TaskHistoryEntry> history(String id) {
        try (Connection connection = dataSource.getConnection()) {
            Optional<TaskRecord> found;
            try (PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + " FROM tb_task WHERE id = ?")) {
                select.setString(1, id);
                try (ResultSet row = select.executeQuery()) {
                    found = row.next() ? Optional.of(record(row)) : Optional.empty();
                }
            }
            if (found.isEmpty()) {
                return List.of();
            }
            List<TaskHistoryEntry> stored = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT at, kind, chunk, detail FROM tb_task_event WHERE task_id = ? ORDER BY id")) {
                select.setString(1, id);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        int chunk = rows.getInt(3);
                        Integer chunkOrNull = rows.wasNull() ? null : chunk;
                        stored.add(new TaskHistoryEntry(instant(rows, "at"), TaskEventKind.valueOf(rows.getString(2)),
                                chunkOrNull, rows.getString(4)));
                    }
                }
            }
            List<TaskHistory.Marker> markers = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT chunk, items_done, items_failed, committed_at FROM tb_chunk_marker WHERE task_id = ?")) {
                select.setString(1, id);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        markers.add(new TaskHistory.Marker(rows.getInt(1), rows.getInt(2), rows.getInt(3),
                                instant(rows, "committed_at")));
                    }
                }
            }
            return TaskHistory.of(found.get(), stored, markers);
        } catch (SQLException e) {
            throw new TaskStoreException("could not read the history of task " + id, e);
        }
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

    /** One guarded update of task {@code id} in a statement of its own (auto-commit): whether it changed the task. */
    private boolean updateOne(String id, String sql, Object... args) {
        try (Connection connection = dataSource.getConnection()) {
            return update(connection, sql, args) == 1;
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
            insert.setString(5, detail == null ? null : TaskHistory.shorten(detail));
            insert.executeUpdate();
        }
    }

    private <T> T inTransaction(LocalTransaction.Work<T> work) throws SQLException {
        return LocalTransaction.run(dataSource, work);
    }

    private Optional<TaskRecord> queryOne(String sql, Object... args) {
        return queryOne(sql, TaskStore::record, args);
    }

    private <T> Optional<T> queryOne(String sql, RowReader<T> reader, Object... args) {
        List<T> rows = query(sql, reader, args);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    private List<TaskRecord> query(String sql, Object... args) {
        return query(sql, TaskStore::record, args);
    }

    /** Reads one row into what a query returns. */
    @FunctionalInterface
    private interface RowReader<T> {
        T read(ResultSet row) throws SQLException;
    }

    private <T> List<T> query(String sql, RowReader<T> reader, Object... args) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(sql)) {
            bind(select, args);
            try (ResultSet rows = select.executeQuery()) {
                List<T> read = new ArrayList<>();
                while (rows.next()) {
                    read.add(reader.read(rows));
                }
                return read;
            }
        } catch (SQLException e) {
            throw new TaskStoreException("could not read tasks " + Arrays.toString(args), e); // which: an id, an owner's key
        }
    }

    static void bind(PreparedStatement statement, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            if (args[i] == null) {
                statement.setNull(i + 1, Types.VARCHAR);
            } else {
                statement.setObject(i + 1, args[i]);
            }
        }
    }

    private static Payload payload(ResultSet row) throws SQLException {
        return new Payload(row.getString("media_type"), row.getBytes("payload"), SubmissionOptions.decode(row.getString("options")));
    }

    static TaskRecord record(ResultSet row) throws SQLException {
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
                row.getInt("run_generation"),
                row.getString("trace_parent"),
                instant(row, "run_at"),
                row.getInt("priority"),
                row.getString("order_key"));
    }

    private static TaskSummary summary(ResultSet row) throws SQLException {
        return new TaskSummary(
                row.getString("id"),
                row.getString("task_type"),
                row.getInt("type_version"),
                row.getString("owner"),
                TaskState.valueOf(row.getString("status")),
                row.getInt("chunks_done"),
                row.getInt("chunks_total"),
                row.getLong("items_done"),
                row.getLong("items_failed"),
                row.getInt("attempts"),
                instant(row, "submitted_at"),
                instant(row, "started_at"),
                instant(row, "ended_at"),
                row.getString("error_message"),
                row.getString("error_ref"),
                instant(row, "progress_at"),
                instant(row, "run_at"),
                row.getInt("priority"),
                row.getString("order_key"));
    }

    private static Instant instant(ResultSet row, String column) throws SQLException {
        OffsetDateTime value = row.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
