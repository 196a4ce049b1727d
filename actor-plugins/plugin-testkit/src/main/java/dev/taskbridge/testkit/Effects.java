package dev.taskbridge.testkit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import javax.sql.DataSource;

/**
 * What a plugin's task did to the world, read after it ended, for the replay check to compare a
 * clean run with runs that crashed: the rows it wrote, the mails it sent. Two reads of the same
 * effects must be {@link Object#equals equal}, so read them in a stable order.
 */
@FunctionalInterface
public interface Effects {

    /**
     * Reads the effects of task {@code taskId} from the kit's database (or from wherever the
     * plugin put them).
     */
    Object read(DataSource database, String taskId) throws Exception;

    /**
     * The rows of a query, each a list of its column values, in the query's order: give it an
     * {@code ORDER BY}. A {@code ?} in it is bound to the task's id, for tables keyed by task.
     */
    static Effects rows(String sql) {
        return (database, taskId) -> {
            try (Connection connection = database.getConnection(); PreparedStatement query = connection.prepareStatement(sql)) {
                if (query.getParameterMetaData().getParameterCount() > 0) {
                    query.setString(1, taskId);
                }
                List<List<Object>> rows = new ArrayList<>();
                try (ResultSet result = query.executeQuery()) {
                    int columns = result.getMetaData().getColumnCount();
                    while (result.next()) {
                        List<Object> row = new ArrayList<>(columns);
                        for (int column = 1; column <= columns; column++) {
                            row.add(result.getObject(column));
                        }
                        rows.add(Collections.unmodifiableList(row)); // a column may be null

                    }
                }
                return Collections.unmodifiableList(rows);
            } catch (SQLException e) {
                throw new SQLException("reading the effects with " + sql + ": " + e.getMessage(), e.getSQLState(), e);
            }
        };
    }
}
