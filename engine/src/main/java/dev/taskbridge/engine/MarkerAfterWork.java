package dev.taskbridge.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

import javax.sql.DataSource;

import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.TransientTaskException;

/**
 * Chunk transactions for hosts without JTA (plain JVM tests and tools): the chunk's record is
 * written after the work, in a local transaction of its own, so a chunk that committed is skipped
 * later, but a crash between the work and its record runs the work again. Effects are at least
 * once here; the EJB bridge makes them exactly once.
 */
final class MarkerAfterWork implements ChunkTransactions {

    private final DataSource dataSource;

    MarkerAfterWork(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public ChunkOutcome runOnce(Chunk chunk) throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            Optional<ChunkOutcome> recorded = chunk.recorded(connection);
            if (recorded.isPresent()) {
                return recorded.get();
            }
        }
        ChunkOutcome outcome = chunk.work();
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                chunk.commit(connection, outcome);
                connection.commit();
            } catch (Exception e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw new TransientTaskException("the chunk was committed by another run meanwhile", e);
            }
            throw e;
        }
        return outcome;
    }
}
