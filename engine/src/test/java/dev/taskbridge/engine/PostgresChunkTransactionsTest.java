package dev.taskbridge.engine;

import javax.sql.DataSource;

import dev.taskbridge.engine.journal.Dialect;

/**
 * {@link ChunkTransactionsTest} on a real PostgreSQL ({@link PostgresTestDatabase}): its driver
 * reports a batch's update counts and a batch's unique key failure in its own way.
 */
class PostgresChunkTransactionsTest extends ChunkTransactionsTest {

    private PostgresTestDatabase database;

    @Override
    DataSource freshDatabase() throws Exception {
        database = new PostgresTestDatabase();
        return database.dataSource();
    }

    @Override
    void dropDatabase() throws Exception {
        database.drop();
    }

    @Override
    Dialect dialect() {
        return Dialect.POSTGRESQL;
    }
}
