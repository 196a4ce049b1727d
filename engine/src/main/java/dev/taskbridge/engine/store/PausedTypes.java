package dev.taskbridge.engine.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import javax.sql.DataSource;

/**
 * The paused task types, in {@code tb_type_pause}: one row per paused type is the pause's only
 * home, so a pause outlives a restart or a redeploy until someone resumes the type.
 */
public final class PausedTypes {

    private static final String UNIQUE_VIOLATION = "23505";

    private final DataSource dataSource;
    private final Clock clock;

    public PausedTypes(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /** Every paused type, by id. */
    public Map<String, TypePause> all() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT task_type, paused_by, paused_at FROM tb_type_pause ORDER BY task_type");
             ResultSet rows = select.executeQuery()) {
            Map<String, TypePause> paused = new LinkedHashMap<>();
            while (rows.next()) {
                paused.put(rows.getString(1), new TypePause(rows.getString(1), rows.getString(2),
                        rows.getObject(3, OffsetDateTime.class).toInstant()));
            }
            return paused;
        } catch (SQLException e) {
            throw new TaskStoreException("could not read the paused task types", e);
        }
    }

    /**
     * Pauses a type; pausing a paused type keeps its first pause (who and since when).
     *
     * @return the type's pause, as stored
     */
    public TypePause pause(String taskType, String by) {
        Instant at = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement(
                     "INSERT INTO tb_type_pause (task_type, paused_by, paused_at) VALUES (?, ?, ?)")) {
            insert.setString(1, taskType);
            insert.setString(2, by);
            insert.setObject(3, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
            insert.executeUpdate();
            return new TypePause(taskType, by, at);
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                return Optional.ofNullable(all().get(taskType)) // paused already, or resumed just now: then pause again
                        .orElseGet(() -> pause(taskType, by));
            }
            throw new TaskStoreException("could not pause task type " + taskType, e);
        }
    }

    /** @return whether the type was paused */
    public boolean resume(String taskType) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement("DELETE FROM tb_type_pause WHERE task_type = ?")) {
            delete.setString(1, taskType);
            return delete.executeUpdate() > 0;
        } catch (SQLException e) {
            throw new TaskStoreException("could not resume task type " + taskType, e);
        }
    }
}
