package dev.taskbridge.engine.store;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes gathered on one connection and sent as one JDBC batch per statement: the records of a
 * chunk group's chunks (their markers, their tasks' progress and ends) go to the database in two
 * batches, not one statement per chunk each. On PostgreSQL a batch is one round trip where each
 * statement was one; a profile of the peers benchmark's W1 found the chunks' guarded updates, one
 * at a time, the biggest single cost of a task (note 015).
 *
 * <p>The order is fixed, so that every batch locks in the same order and no two can wait for each
 * other in a cycle: writes of new rows first, then changes of existing rows; within each, statement
 * by statement in the order each was first added, and rows in the order they were added (a caller
 * that adds them in the order of their tasks' ids locks them in that order, as every writer of
 * several task rows does). A check added with a write sees how many rows it changed once its
 * statement's batch has run, and throws to fail the whole transaction (a guarded update that
 * found its task's run over).
 */
public final class WriteBatch {

    /** What a write does to rows: which batches run first. */
    public enum Rows {
        /** Adds rows (a chunk's marker): these lock only keys no one else holds yet, so they go first. */
        NEW,
        /** Changes rows that exist (a task's row). */
        EXISTING
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

    private final Connection connection;
    private final Map<Rows, Map<String, List<Write>>> writes = new EnumMap<>(Rows.class);

    /** @param connection the connection of the transaction the writes join */
    public WriteBatch(Connection connection) {
        this.connection = connection;
    }

    /** Adds a write to run with {@code sql}'s batch; {@code args} bound as {@link TaskStore} binds them. */
    public void add(Rows rows, String sql, Check check, Object... args) {
        writes.computeIfAbsent(rows, kind -> new LinkedHashMap<>())
                .computeIfAbsent(sql, key -> new ArrayList<>()).add(new Write(args, check));
    }

    /**
     * Runs each statement's batch, and after it the checks of its writes, in the order above.
     *
     * @throws SQLException what the database refused, as the statement's own failure (its class and
     *                      state, as a single statement would have thrown it), the batch's suppressed
     * @throws Exception    what a check threw; the statements after it have not run
     */
    public void run() throws Exception {
        for (Map<String, List<Write>> statements : writes.values()) {
            for (Map.Entry<String, List<Write>> statement : statements.entrySet()) {
                run(statement.getKey(), statement.getValue());
            }
        }
        writes.clear();
    }

    private void run(String sql, List<Write> batch) throws Exception {
        int[] counts;
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (Write write : batch) {
                TaskStore.bind(statement, write.args());
                statement.addBatch();
            }
            counts = statement.executeBatch();
        } catch (BatchUpdateException e) {
            // H2 keeps the statement's failure only as the next exception, with a state of its own
            // that says less (a concurrent update, transient, would no longer look transient)
            SQLException own = e.getNextException();
            if (own == null) {
                throw e;
            }
            own.addSuppressed(e);
            throw own;
        }
        for (int i = 0; i < batch.size(); i++) {
            Check check = batch.get(i).check();
            if (counts[i] == Statement.SUCCESS_NO_INFO && check != Check.NONE) {
                // not the database's refusal, and no retry mends it
                throw new IllegalStateException("the JDBC driver did not say how many rows a batched write changed, "
                        + "which Taskbridge needs to know (H2 and PostgreSQL say it): " + sql);
            }
            check.changed(counts[i]);
        }
    }
}
