package dev.taskbridge.engine;

import javax.sql.DataSource;

import dev.taskbridge.plugin.ChunkOutcome;

/**
 * Chunk transactions for hosts without JTA (plain JVM tests and tools): the chunk's record is
 * written in statements of its own after the work, so a chunk that committed is skipped later,
 * but a crash between the work and its record runs the work again. Effects are at least once
 * here; the EJB bridge makes them exactly once.
 */
final class MarkerAfterWork implements ChunkTransactions {

    private final DataSource dataSource;

    MarkerAfterWork(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public ChunkOutcome runOnce(Chunk chunk) throws Exception {
        return ChunkTransactions.run(dataSource, chunk);
    }
}
