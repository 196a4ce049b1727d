package dev.taskbridge.engine;

import javax.sql.DataSource;

/** The schedules' tests on a real PostgreSQL ({@link PostgresTestDatabase}): each test gets a schema of its own. */
class PostgresSchedulesTest extends SchedulesTest {

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
}
