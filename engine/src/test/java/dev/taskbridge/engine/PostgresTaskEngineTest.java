package dev.taskbridge.engine;

import javax.sql.DataSource;

import dev.taskbridge.engine.journal.Dialect;

/** The engine's tests on a real PostgreSQL ({@link PostgresTestDatabase}): each test gets a schema of its own. */
class PostgresTaskEngineTest extends TaskEngineTest {

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
