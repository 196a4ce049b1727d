package dev.taskbridge.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import dev.taskbridge.plugin.ChunkOutcome;

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
        return ChunkTransactions.run(dataSource, new RecordedLocally(chunk));
    }

    /** Each chunk's work, one after the other; then the records of all of them in one local transaction. */
    @Override
    public List<ChunkOutcome> runAllOnce(List<? extends Chunk> chunks) throws Exception {
        List<ChunkTransactions.Worked> worked = ChunkTransactions.workAll(dataSource, chunks);
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                ChunkTransactions.recordAll(connection, worked);
                connection.commit();
            } catch (Exception e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        }
        return worked.stream().map(ChunkTransactions.Worked::outcome).toList();
    }

    /** The chunk, its record's statements in one local transaction: all of them commit, or none. */
    private record RecordedLocally(Chunk chunk) implements Chunk {

        @Override
        public Optional<ChunkOutcome> recorded(Connection connection) throws SQLException {
            return chunk.recorded(connection);
        }

        @Override
        public ChunkOutcome work() throws Exception {
            return chunk.work();
        }

        @Override
        public void commit(Connection connection, ChunkOutcome outcome) throws Exception {
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
        }
    }
}
