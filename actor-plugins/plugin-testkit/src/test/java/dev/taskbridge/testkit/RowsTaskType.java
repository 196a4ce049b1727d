package dev.taskbridge.testkit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.naming.InitialContext;
import javax.sql.DataSource;

import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.ChunkUndo;
import dev.taskbridge.plugin.InvalidPayloadException;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.TaskContext;
import dev.taskbridge.plugin.TaskHandler;
import dev.taskbridge.plugin.TaskType;

/**
 * A plugin written as one for the server is: each chunk inserts rows into {@code kit_rows} through
 * the datasource it looks up in JNDI. Payload {@code chunks=N,rows=M[,failAtChunk=K][,commitAtChunk=K]}:
 * chunk K fails after its rows with {@code failAtChunk}, and commits the connection itself (which
 * the server refuses inside a chunk's transaction) with {@code commitAtChunk}. {@link #sent} is a
 * second effect, for the replay check: a "mail" per chunk, outside the transaction, when
 * {@code mail=1}; with {@code mail=2}, a mail per chunk unless this instance remembers sending it,
 * which a restarted server's new instance does not. Its undo reverses a chunk as a ledger would:
 * a row numbered -1 - n for each row n the chunk wrote, so that an undo run twice shows.
 */
class RowsTaskType implements TaskType<RowsTaskType.Script> {

    static final String ID = "kit.rows";
    static final String TABLE = "CREATE TABLE kit_rows (task_id VARCHAR(36) NOT NULL, chunk INT NOT NULL, row_no INT NOT NULL)";

    /** Mails sent, one line each: what a plugin does outside any transaction. */
    static final List<String> sent = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** What this instance remembers mailing (mail=2): gone with the instance, as with a server's memory. */
    private final java.util.Set<String> mailedByThisInstance = java.util.concurrent.ConcurrentHashMap.newKeySet();

    record Script(int chunks, int rows, int failAtChunk, int commitAtChunk, int mail) {
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int version() {
        return 1;
    }

    @Override
    public Script parse(Payload payload) throws InvalidPayloadException {
        Map<String, Integer> values = new HashMap<>();
        for (String pair : payload.text().split(",")) {
            String[] kv = pair.split("=", 2);
            try {
                values.put(kv[0].strip(), Integer.parseInt(kv[1].strip()));
            } catch (RuntimeException e) {
                throw new InvalidPayloadException(kv[0].strip(), "must be name=number");
            }
        }
        return new Script(values.getOrDefault("chunks", 1), values.getOrDefault("rows", 1),
                values.getOrDefault("failAtChunk", -1), values.getOrDefault("commitAtChunk", -1),
                values.getOrDefault("mail", 0));
    }

    @Override
    public Optional<ChunkUndo<Script>> undo() {
        return Optional.of((script, committed, context) -> {
            DataSource dataSource = (DataSource) new InitialContext().lookup("java:jboss/datasources/TaskbridgeDS");
            try (Connection connection = dataSource.getConnection();
                 PreparedStatement reverse = connection.prepareStatement(
                         "INSERT INTO kit_rows (task_id, chunk, row_no) VALUES (?, ?, ?)")) {
                for (int row = 0; row < script.rows(); row++) {
                    reverse.setString(1, committed.taskId());
                    reverse.setInt(2, committed.chunk());
                    reverse.setInt(3, -1 - row);
                    reverse.addBatch();
                }
                reverse.executeBatch();
            }
            return new ChunkOutcome(script.rows(), 0, "");
        });
    }

    @Override
    public TaskHandler<Script> handler() {
        return new TaskHandler<>() {
            @Override
            public int chunkCount(Script script) {
                return script.chunks();
            }

            @Override
            public ChunkOutcome runChunk(Script script, int chunk, TaskContext context) throws Exception {
                DataSource dataSource = (DataSource) new InitialContext().lookup("java:jboss/datasources/TaskbridgeDS");
                try (Connection connection = dataSource.getConnection();
                     PreparedStatement insert = connection.prepareStatement(
                             "INSERT INTO kit_rows (task_id, chunk, row_no) VALUES (?, ?, ?)")) {
                    for (int row = 0; row < script.rows(); row++) {
                        insert.setString(1, context.taskId());
                        insert.setInt(2, chunk);
                        insert.setInt(3, row);
                        insert.addBatch();
                    }
                    insert.executeBatch();
                    if (chunk == script.commitAtChunk()) {
                        connection.commit();
                    }
                }
                String mail = context.taskId() + " chunk " + chunk;
                if (script.mail() == 1 || script.mail() == 2 && mailedByThisInstance.add(mail)) {
                    sent.add(mail);
                }
                if (chunk == script.failAtChunk()) {
                    throw new IllegalStateException("chunk " + chunk + " is broken (on purpose)");
                }
                return new ChunkOutcome(script.rows(), 0, "");
            }

            @Override
            public String result(Script script, List<ChunkOutcome> outcomes) {
                return "{\"rows\":" + outcomes.stream().mapToLong(ChunkOutcome::itemsDone).sum() + "}";
            }
        };
    }
}
