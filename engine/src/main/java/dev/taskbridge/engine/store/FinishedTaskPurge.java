package dev.taskbridge.engine.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import javax.sql.DataSource;

/**
 * Deletes finished tasks that ended before a cutoff (failed ones before a cutoff of their own, or
 * never), with everything the engine keeps about them
 * (their history rows and effect markers), a bounded batch per transaction, so that purging a
 * year of tasks never holds locks or a connection for long.
 *
 * <p>The tasks of a batch are locked first ({@code FOR UPDATE}): an operator's retry of one of
 * them either comes before (the task is no longer final, and is left alone) or after (it finds no
 * task). Markers are deleted only with their task, never under a task that may run again, since a
 * retried task's markers are what keep its committed chunks from running twice.
 */
public final class FinishedTaskPurge {

    /** Tasks purged in one transaction at most. */
    public static final int DEFAULT_BATCH = 500;

    private final DataSource dataSource;

    public FinishedTaskPurge(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Purges at most {@code limit} tasks that ended before their cutoff: succeeded and cancelled
     * ones before {@code cutoff}, failed ones before {@code failedCutoff}.
     *
     * @param failedCutoff null to keep every failed task: they wait for an operator's retry
     * @return how many were purged: fewer than {@code limit} means none are left to purge
     * @throws TaskStoreException when the database failed; nothing of the batch was deleted
     */
    public int purgeBatch(Instant cutoff, Instant failedCutoff, int limit) {
        try {
            return LocalTransaction.run(dataSource, connection -> {
                List<String> ids = lockFinishedBefore(connection, cutoff, failedCutoff, limit);
                if (!ids.isEmpty()) {
                    deleteWhereIn(connection, "DELETE FROM tb_chunk_marker WHERE task_id IN ", ids);
                    deleteWhereIn(connection, "DELETE FROM tb_task_event WHERE task_id IN ", ids);
                    deleteWhereIn(connection, "DELETE FROM tb_task WHERE id IN ", ids);
                }
                return ids.size();
            });
        } catch (SQLException e) {
            throw new TaskStoreException("finished tasks could not be purged", e);
        }
    }

    private static List<String> lockFinishedBefore(Connection connection, Instant cutoff, Instant failedCutoff, int limit)
            throws SQLException {
        String which = "(status IN ('SUCCEEDED', 'CANCELLED') AND ended_at < ?"
                + (failedCutoff == null ? "" : " OR status = 'FAILED' AND ended_at < ?") + ")"
                // a task whose rollback has not ended stays: the rollback reads its payload and markers (note 030)
                + " AND NOT EXISTS (SELECT 1 FROM tb_task r WHERE r.id = t.rolled_back_by AND r.status IN ('SCHEDULED', 'QUEUED', 'RUNNING'))";
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT id FROM tb_task t WHERE " + which + " FETCH FIRST " + limit + " ROWS ONLY FOR UPDATE")) {
            select.setObject(1, OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC));
            if (failedCutoff != null) {
                select.setObject(2, OffsetDateTime.ofInstant(failedCutoff, ZoneOffset.UTC));
            }
            List<String> ids = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getString(1));
                }
            }
            return ids;
        }
    }

    private static void deleteWhereIn(Connection connection, String sql, List<String> ids) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement(
                sql + "(" + String.join(", ", Collections.nCopies(ids.size(), "?")) + ")")) {
            for (int i = 0; i < ids.size(); i++) {
                delete.setString(i + 1, ids.get(i));
            }
            delete.executeUpdate();
        }
    }
}
