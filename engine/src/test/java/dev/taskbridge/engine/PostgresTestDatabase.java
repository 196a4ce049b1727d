package dev.taskbridge.engine;

import java.sql.Connection;
import java.sql.Statement;
import java.util.UUID;

import javax.sql.DataSource;

import org.h2.jdbcx.JdbcConnectionPool;
import org.postgresql.ds.PGConnectionPoolDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A schema of its own for one test on a real PostgreSQL at 127.0.0.1:5432, database
 * {@code taskbridge_test} (user and password {@code taskbridge}; {@code .ci/postgres.sh} creates
 * them), behind a pool as a container's datasource would be. Override the location with
 * {@code -Dtaskbridge.test.pg.url=...}.
 */
final class PostgresTestDatabase {

    static final String URL = System.getProperty("taskbridge.test.pg.url",
            "jdbc:postgresql://127.0.0.1:5432/taskbridge_test");
    static final String USER = System.getProperty("taskbridge.test.pg.user", "taskbridge");
    static final String PASSWORD = System.getProperty("taskbridge.test.pg.password", "taskbridge");

    /** Connections the test pool keeps, like a container's datasource pool would. */
    private static final int POOL_SIZE = 30;

    private final String schema = "t_" + UUID.randomUUID().toString().replace("-", "");
    private final JdbcConnectionPool pool;

    PostgresTestDatabase() throws Exception {
        execute("CREATE SCHEMA " + schema);
        pool = pool(schema);
    }

    /** A pool over the schema another process's test made: what a second node of a cluster test uses. */
    static JdbcConnectionPool pool(String schema) {
        PGConnectionPoolDataSource connections = new PGConnectionPoolDataSource();
        connections.setURL(URL + "?currentSchema=" + schema + "&reWriteBatchedInserts=true");
        connections.setUser(USER);
        connections.setPassword(PASSWORD);
        // H2's small generic pool over PostgreSQL's ConnectionPoolDataSource: the engine expects a pooled DataSource.
        JdbcConnectionPool pool = JdbcConnectionPool.create(connections);
        pool.setMaxConnections(POOL_SIZE);
        return pool;
    }

    String schema() {
        return schema;
    }

    DataSource dataSource() {
        return pool;
    }

    void drop() throws Exception {
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
}
