package dev.taskbridge.engine;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

import javax.sql.DataSource;

import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.InvalidPayloadException;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.TaskContext;
import dev.taskbridge.plugin.TaskHandler;
import dev.taskbridge.plugin.TaskType;

/**
 * A task type whose every chunk writes a row, {@code (task_id, chunk, node)} in {@code ct_row}, in the
 * chunk's transaction ({@link LocalChunkTransactions#dataSource()}), after working for a while: a
 * row exists once for every chunk that committed, so counting rows finds any chunk lost or run
 * twice, wherever it ran. Its payload is {@code chunks=N}.
 */
final class RowWritingTaskType implements TaskType<Integer> {

    static final String ID = "cluster.rows";
    /** The same work under another id, for a type placed on a role (design note 039). */
    static final String HEAVY_ID = "cluster.heavy";
    static final String ROWS_TABLE = "CREATE TABLE IF NOT EXISTS ct_row (task_id VARCHAR(36) NOT NULL, chunk INT NOT NULL, "
            + "node VARCHAR(40) NOT NULL)";

    private final String id;
    private final int slots;
    private final long workMillis;
    private final DataSource chunkScoped;
    private final String node;

    /**
     * @param node       written in each row: which node ran the chunk
     * @param workMillis how long each chunk works before it writes its row: long enough to be caught mid-run */
    RowWritingTaskType(int slots, long workMillis, DataSource chunkScoped, String node) {
        this(ID, slots, workMillis, chunkScoped, node);
    }

    RowWritingTaskType(String id, int slots, long workMillis, DataSource chunkScoped, String node) {
        this.id = id;
        this.node = node;
        this.slots = slots;
        this.workMillis = workMillis;
        this.chunkScoped = chunkScoped;
    }

    static Payload payload(int chunks) {
        return new Payload("text/plain", ("chunks=" + chunks).getBytes(StandardCharsets.UTF_8));
    }

    static void createTable(DataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection(); PreparedStatement create = connection.prepareStatement(ROWS_TABLE)) {
            create.execute();
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public int version() {
        return 1;
    }

    @Override
    public int slots() {
        return slots;
    }

    @Override
    public Integer parse(Payload payload) throws InvalidPayloadException {
        String text = payload.text().strip();
        if (!text.matches("chunks=\\d{1,3}")) {
            throw new InvalidPayloadException("chunks", "must be chunks=N");
        }
        return Integer.parseInt(text.substring("chunks=".length()));
    }

    @Override
    public TaskHandler<Integer> handler() {
        return new TaskHandler<>() {
            @Override
            public int chunkCount(Integer chunks) {
                return chunks;
            }

            @Override
            public ChunkOutcome runChunk(Integer chunks, int chunk, TaskContext context) throws Exception {
                Thread.sleep(workMillis);
                try (Connection connection = chunkScoped.getConnection();
                     PreparedStatement insert = connection.prepareStatement("INSERT INTO ct_row (task_id, chunk, node) VALUES (?, ?, ?)")) {
                    if (connection.getAutoCommit()) {
                        throw new IllegalStateException("no chunk transaction on this thread");
                    }
                    insert.setString(1, context.taskId());
                    insert.setInt(2, chunk);
                    insert.setString(3, node);
                    insert.executeUpdate();
                }
                return new ChunkOutcome(1, 0, Integer.toString(chunk));
            }

            @Override
            public String result(Integer chunks, List<ChunkOutcome> outcomes) {
                return "{\"chunks\":" + outcomes.size() + "}";
            }
        };
    }
}
