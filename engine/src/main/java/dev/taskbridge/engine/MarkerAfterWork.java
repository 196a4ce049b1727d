package dev.taskbridge.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
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
        return ChunkTransactions.run(dataSource, new RecordedLocally(chunk));
    }

    /** Each chunk's work, one after the other; then the records of all of them in one local transaction. */
    @Override
    public List<ChunkOutcome> runAllOnce(List<? extends Chunk> chunks) throws Exception {
        List<ChunkOutcome> outcomes = new ArrayList<>(chunks.size());
        List<Chunk> toRecord = new ArrayList<>(chunks.size());
        List<ChunkOutcome> toRecordOutcomes = new ArrayList<>(chunks.size());
        for (Chunk chunk : chunks) {
            Optional<ChunkOutcome> recorded;
            try (Connection connection = dataSource.getConnection()) {
                recorded = chunk.recorded(connection);
            }
            ChunkOutcome outcome = recorded.isPresent() ? recorded.get() : chunk.work();
            outcomes.add(outcome);
            if (recorded.isEmpty()) {
                toRecord.add(chunk);
                toRecordOutcomes.add(outcome);
            }
        }
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                for (int i = 0; i < toRecord.size(); i++) {
                    toRecord.get(i).commit(connection, toRecordOutcomes.get(i));
                }
                connection.commit();
            } catch (Exception e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw new TransientTaskException("a chunk of the group was committed by another run meanwhile", e);
            }
            throw e;
        }
        return outcomes;
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
