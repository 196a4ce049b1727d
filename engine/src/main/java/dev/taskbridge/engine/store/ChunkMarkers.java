package dev.taskbridge.engine.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.taskbridge.plugin.ChunkOutcome;

/**
 * Effect markers: one row per committed chunk of a task, with the chunk's outcome, written in the
 * same transaction as the chunk's effects. A chunk whose marker exists has had its effects; when
 * it comes round again (after a crash, or a retry) its recorded outcome is used instead of running
 * it. The statements run on the connection they are given, so they join the caller's transaction.
 */
public final class ChunkMarkers {

    private ChunkMarkers() {
    }

    /** The recorded outcome of a chunk that committed, if it did. */
    public static Optional<ChunkOutcome> find(Connection connection, String taskId, int chunk) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT items_done, items_failed, data FROM tb_chunk_marker WHERE task_id = ? AND chunk = ?")) {
            select.setString(1, taskId);
            select.setInt(2, chunk);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                return Optional.of(new ChunkOutcome(row.getInt(1), row.getInt(2), row.getString(3)));
            }
        }
    }

    /**
     * When a chunk's marker says it committed, if it did: the time its transaction wrote, which
     * tells the run that wrote it apart from any other.
     */
    public static Optional<Instant> committedAt(Connection connection, String taskId, int chunk) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT committed_at FROM tb_chunk_marker WHERE task_id = ? AND chunk = ?")) {
            select.setString(1, taskId);
            select.setInt(2, chunk);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(row.getObject(1, OffsetDateTime.class).toInstant()) : Optional.empty();
            }
        }
    }

    /**
     * The recorded outcomes of a task's committed chunks, from chunk 0 on, up to the first chunk
     * that has not committed.
     */
    public static List<ChunkOutcome> committed(Connection connection, String taskId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT chunk, items_done, items_failed, data FROM tb_chunk_marker WHERE task_id = ? ORDER BY chunk")) {
            select.setString(1, taskId);
            try (ResultSet rows = select.executeQuery()) {
                List<ChunkOutcome> outcomes = new ArrayList<>();
                while (rows.next() && rows.getInt(1) == outcomes.size()) {
                    outcomes.add(new ChunkOutcome(rows.getInt(2), rows.getInt(3), rows.getString(4)));
                }
                return outcomes;
            }
        }
    }

    /** Records that a chunk committed, with the batch; the batch fails if it already did (a unique key). */
    public static void record(WriteBatch batch, String taskId, int chunk, ChunkOutcome outcome, Instant at) {
        batch.add(WriteBatch.Rows.NEW, "INSERT INTO tb_chunk_marker (task_id, chunk, items_done, items_failed, data, committed_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?)", WriteBatch.Check.NONE,
                taskId, chunk, outcome.itemsDone(), outcome.itemsFailed(), outcome.data(),
                OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
    }
}
