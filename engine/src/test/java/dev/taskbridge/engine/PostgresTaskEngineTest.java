package dev.taskbridge.engine;

import java.sql.Connection;
import java.sql.Statement;
import java.util.UUID;

import javax.sql.DataSource;

import dev.taskbridge.engine.journal.Dialect;
import org.h2.jdbcx.JdbcConnectionPool;
import org.postgresql.ds.PGConnectionPoolDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The engine's tests on a real PostgreSQL at 127.0.0.1:5432, database {@code taskbridge_test}
 * (user and password {@code taskbridge}; {@code .ci/postgres.sh} creates them). Each test gets a
 * schema of its own. Override the location with {@code -Dtaskbridge.test.pg.url=...}.
 */
class PostgresTaskEngineTest extends TaskEngineTest {

    static final String URL = System.getProperty("taskbridge.test.pg.url",
            "jdbc:postgresql://127.0.0.1:5432/taskbridge_test");
    static final String USER = System.getProperty("taskbridge.test.pg.user", "taskbridge");
    static final String PASSWORD = System.getProperty("taskbridge.test.pg.password", "taskbridge");

    /** Connections the test pool keeps, like a container's datasource pool would. */
    private static final int POOL_SIZE = 30;

    private String schema;
    private JdbcConnectionPool pool;

    @Override
    DataSource freshDatabase() throws Exception {
        schema = "t_" + UUID.randomUUID().toString().replace("-", "");
        execute("CREATE SCHEMA " + schema);
        PGConnectionPoolDataSource connections = new PGConnectionPoolDataSource();
        connections.setURL(URL + "?currentSchema=" + schema + "&reWriteBatchedInserts=true");
        connections.setUser(USER);
        connections.setPassword(PASSWORD);
        // H2's small generic pool over PostgreSQL's ConnectionPoolDataSource: the engine expects a pooled DataSource.
        pool = JdbcConnectionPool.create(connections);
        pool.setMaxConnections(POOL_SIZE);
        return pool;
    }

    @Override
    void dropDatabase() throws Exception {
        pool.dispose();
        // a connection the closed engine left open in a transaction would make the drop wait for
        // ever (it once did: a journal delete, idle in transaction); fail instead, naming it
        execute("SET lock_timeout = '60s'; DROP SCHEMA " + schema + " CASCADE");
    }

    private static void execute(String sql) throws Exception {
        PGSimpleDataSource admin = new PGSimpleDataSource();
        admin.setURL(URL);
        admin.setUser(USER);
        admin.setPassword(PASSWORD);
        try (Connection connection = admin.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    @Override
    Dialect dialect() {
        return Dialect.POSTGRESQL;
    }
}
