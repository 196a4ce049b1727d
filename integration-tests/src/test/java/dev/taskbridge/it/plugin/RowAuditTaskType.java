package dev.taskbridge.it.plugin;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;

import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.PluginEnvironment;
import dev.taskbridge.plugin.TaskContext;
import dev.taskbridge.plugin.TaskHandler;
import dev.taskbridge.plugin.TaskType;

/**
 * Test plugin {@code it.audit}: reads {@code it_rows} inside the server, whatever the database, and
 * reports the rows written and any written more than once, as
 * {@code {"rows": N, "duplicates": D, "tasks": T}}.
 */
public class RowAuditTaskType implements TaskType<String> {

    public static final String ID = "it.audit";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int version() {
        return 1;
    }

    @Override
    public int slots() {
        return 1;
    }

    @Override
    public String parse(Payload payload) {
        return "";
    }

    @Override
    public void prepare(PluginEnvironment environment) throws Exception {
        RowWritingTaskType.createTable(environment);
    }

    @Override
    public TaskHandler<String> handler() {
        return new TaskHandler<>() {
            @Override
            public int chunkCount(String payload) {
                return 1;
            }

            @Override
            public ChunkOutcome runChunk(String payload, int chunk, TaskContext context) throws Exception {
                try (Connection connection = RowWritingTaskType.dataSource().getConnection()) {
                    long rows = single(connection, "SELECT COUNT(*) FROM it_rows");
                    long duplicates = single(connection, "SELECT COUNT(*) FROM (SELECT task_id, chunk, row_no "
                            + "FROM it_rows GROUP BY task_id, chunk, row_no HAVING COUNT(*) > 1) d");
                    long tasks = single(connection, "SELECT COUNT(DISTINCT task_id) FROM it_rows");
                    return new ChunkOutcome(1, 0,
                            "{\"rows\":" + rows + ",\"duplicates\":" + duplicates + ",\"tasks\":" + tasks + "}");
                }
            }

            @Override
            public String result(String payload, List<ChunkOutcome> outcomes) {
                return outcomes.get(0).data();
            }
        };
    }

    private static long single(Connection connection, String sql) throws Exception {
        try (PreparedStatement select = connection.prepareStatement(sql); ResultSet row = select.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }
}
