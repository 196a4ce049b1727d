package dev.taskbridge.engine;

import java.sql.Connection;
import java.util.List;

import javax.sql.DataSource;

import dev.taskbridge.plugin.ChunkOutcome;

/**
 * Chunk transactions for hosts without JTA (plain JVM tests and tools): the chunk's record is
 * written after the work, in a local transaction of its own, so a chunk that committed is skipped
 * later, but a crash between the work and its record runs the work again. Effects are at least
 * once here; the EJB bridge makes them exactly once, and so does {@link LocalChunkTransactions}
 * for plugins that write through its data source.
 */
final class MarkerAfterWork implements ChunkTransactions {

    private final DataSource dataSource;

    MarkerAfterWork(DataSource dataSource) {
        this.dataSource = dataSource;
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
}
