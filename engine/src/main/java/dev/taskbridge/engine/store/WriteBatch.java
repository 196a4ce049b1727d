package dev.taskbridge.engine.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes gathered on one connection and sent as one JDBC batch per statement, in the order each
 * statement was first added: the records of a chunk group's chunks (their markers, their tasks'
 * progress and ends) go to the database in two batches, not one statement per chunk each. On
 * PostgreSQL a batch is one round trip where each statement was one; a profile of the peers
 * benchmark's W1 found the chunks' guarded updates, one at a time, the biggest single cost of a
 * task (note 015).
 *
 * <p>Rows are written in the order they were added within each statement, so a caller that adds
 * them in the order of their tasks' ids locks them in that order, as every writer of several task
 * rows does. A check added with a write sees how many rows it changed once the batch has run,
 * and throws to fail the whole transaction (a guarded update that found its task's run over).
 */
public final class WriteBatch {

    private final Connection connection;
    private final Map<String, List<Write>> bySql = new LinkedHashMap<>();

    /** @param connection the connection of the transaction the writes join */
    public WriteBatch(Connection connection) {
        this.connection = connection;
    }

    /** What a write must have changed; it throws when it did not. */
    @FunctionalInterface
    public interface Check {

        /** The writes that need none. */
        Check NONE = rows -> { };

        void changed(int rows) throws Exception;
    }

    private record Write(Object[] args, Check check) {
    }

    /** Adds a write to run with {@code sql}'s batch; {@code args} bound as {@link TaskStore} binds them. */
    public void add(String sql, Check check, Object... args) {
        bySql.computeIfAbsent(sql, key -> new ArrayList<>()).add(new Write(args, check));
    }

    /**
     * Runs each statement's batch, and after it the checks of its writes, in the order they were added.
     *
     * @throws SQLException what the database refused (a unique key: {@link java.sql.BatchUpdateException}
     *                      carries its SQL state, in H2 and PostgreSQL alike)
     * @throws Exception    what a check threw; the statements after it have not run
     */
    public void run() throws Exception {
        for (Map.Entry<String, List<Write>> statement : bySql.entrySet()) {
            List<Write> writes = statement.getValue();
            int[] counts;
            try (PreparedStatement batch = connection.prepareStatement(statement.getKey())) {
                for (Write write : writes) {
                    TaskStore.bind(batch, write.args());
                    batch.addBatch();
                }
                counts = batch.executeBatch();
            }
            for (int i = 0; i < writes.size(); i++) {
                Check check = writes.get(i).check();
                if (counts[i] == Statement.SUCCESS_NO_INFO && check != Check.NONE) {
                    throw new SQLException("the JDBC driver did not say how many rows a batched write changed, which "
                            + "Taskbridge needs to know (H2 and PostgreSQL say it): " + statement.getKey());
                }
                check.changed(counts[i]);
            }
        }
        bySql.clear();
    }
}
