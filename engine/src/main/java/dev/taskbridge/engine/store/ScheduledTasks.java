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

import javax.sql.DataSource;

/**
 * Tasks submitted to run later: their rows wait as SCHEDULED, in no slot, with their
 * {@code run_at}; once due they are moved to QUEUED, which is the moment they may be handed to
 * their slots. The row is their only home: nothing about them is journaled before they are due.
 */
public final class ScheduledTasks {

    private final DataSource dataSource;

    public ScheduledTasks(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** When the next scheduled task is due, if any is scheduled. */
    public Optional<Instant> earliest() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT MIN(run_at) FROM tb_task WHERE status = 'SCHEDULED'");
             ResultSet row = select.executeQuery()) {
            OffsetDateTime at = row.next() ? row.getObject(1, OffsetDateTime.class) : null;
            return Optional.ofNullable(at).map(OffsetDateTime::toInstant);
        } catch (SQLException e) {
            throw new TaskStoreException("could not read when the next scheduled task is due", e);
        }
    }

    /**
     * Moves up to {@code limit} tasks due at {@code now} from SCHEDULED to QUEUED, earliest first,
     * in one transaction, and returns those that this call moved: each guarded update matches a
     * task only while it is still SCHEDULED, so a task that another caller (another node, a cancel)
     * changed meanwhile is left out, and no task is moved twice.
     *
     * @return the moved tasks as they are now stored (QUEUED), to be handed to their slots
     */
    public List<TaskRecord> releaseDue(Instant now, int limit) {
        try {
            return LocalTransaction.run(dataSource, connection -> {
                List<TaskRecord> due = new ArrayList<>();
                try (PreparedStatement select = connection.prepareStatement("SELECT " + TaskStore.COLUMNS
                        + " FROM tb_task WHERE status = 'SCHEDULED' AND run_at <= ? ORDER BY run_at, id LIMIT ?")) {
                    select.setObject(1, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
                    select.setInt(2, limit);
                    try (ResultSet rows = select.executeQuery()) {
                        while (rows.next()) {
                            due.add(TaskStore.record(rows));
                        }
                    }
                }
                List<TaskRecord> released = new ArrayList<>(due.size());
                // One statement each, not a batch: a driver may answer a batch without per-row counts,
                // and the count is what says whether this caller moved the task.
                try (PreparedStatement update = connection.prepareStatement(
                        "UPDATE tb_task SET status = 'QUEUED' WHERE id = ? AND status = 'SCHEDULED'")) {
                    for (TaskRecord task : due) {
                        update.setString(1, task.id());
                        if (update.executeUpdate() == 1) {
                            released.add(task.withState(TaskState.QUEUED));
                        }
                    }
                }
                return released;
            });
        } catch (SQLException e) {
            throw new TaskStoreException("could not release the scheduled tasks due at " + now, e);
        }
    }
}
