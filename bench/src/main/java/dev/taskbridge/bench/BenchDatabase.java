package dev.taskbridge.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.h2.jdbcx.JdbcConnectionPool;
import org.postgresql.ds.PGConnectionPoolDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A fresh, pooled database for one bench run, made the way the engine's tests and the server
 * make theirs: the engine expects a pooled DataSource, as a container's datasource is.
 */
final class BenchDatabase implements AutoCloseable {

    /** Connections the pool keeps, as in the engine's PostgreSQL tests. */
    private static final int POOL_SIZE = 30;
    private static final int DROP_ATTEMPTS = 15;

    private final String label;
    private final JdbcConnectionPool pool;
    private final Runnable drop;

    private BenchDatabase(String label, JdbcConnectionPool pool, Runnable drop) {
        this.label = label;
        this.pool = pool;
        this.drop = drop;
    }

    /** A new H2 file database in {@code directory}, emptied first; URL options as in server-config. */
    static BenchDatabase h2(Path directory) throws IOException {
        deleteRecursively(directory);
        Files.createDirectories(directory);
        String url = "jdbc:h2:file:" + directory.toAbsolutePath().resolve("taskbridge")
                + ";DB_CLOSE_ON_EXIT=FALSE;AUTO_SERVER=FALSE;WRITE_DELAY=0";
        JdbcConnectionPool pool = JdbcConnectionPool.create(url, "sa", "");
        pool.setMaxConnections(POOL_SIZE);
        return new BenchDatabase("H2 (file)", pool, () -> { });
    }

    /** A new schema in the PostgreSQL database; {@link #close()} drops it. */
    static BenchDatabase postgres(String url, String user, String password) throws SQLException {
        String schema = "bench_" + UUID.randomUUID().toString().replace("-", "");
        PGSimpleDataSource admin = new PGSimpleDataSource();
        admin.setURL(url);
        admin.setUser(user);
        admin.setPassword(password);
        execute(admin, "CREATE SCHEMA " + schema);
        PGConnectionPoolDataSource connections = new PGConnectionPoolDataSource();
        connections.setURL(url + "?currentSchema=" + schema + "&reWriteBatchedInserts=true");
        connections.setUser(user);
        connections.setPassword(password);
        JdbcConnectionPool pool = JdbcConnectionPool.create(connections);
        pool.setMaxConnections(POOL_SIZE);
        return new BenchDatabase("PostgreSQL", pool, () -> dropSchema(admin, schema));
    }

    String label() {
        return label;
    }

    DataSource dataSource() {
        return pool;
    }

    /** Product and version as the driver reports them, with settings that decide commit cost. */
    String describe() throws SQLException {
        try (Connection connection = pool.getConnection()) {
            String product = connection.getMetaData().getDatabaseProductName() + " "
                    + connection.getMetaData().getDatabaseProductVersion();
            if (!product.toLowerCase(java.util.Locale.ROOT).contains("postgres")) {
                return product;
            }
            return product + ", synchronous_commit=" + show(connection, "synchronous_commit")
                    + ", fsync=" + show(connection, "fsync");
        }
    }

    /** Counts rows of one query answering a single number. */
    long count(String sql) throws SQLException {
        try (Connection connection = pool.getConnection();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    void execute(String sql) throws SQLException {
        execute(pool, sql);
    }

    private static String show(Connection connection, String setting) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SHOW " + setting)) {
            return rows.next() ? rows.getString(1) : "?";
        }
    }

    private static void execute(DataSource dataSource, String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /** Drops the run's schema; tries for a while, since a server restarted by someone else comes back. */
    private static void dropSchema(DataSource admin, String schema) {
        for (int attempt = 1; ; attempt++) {
            try {
                execute(admin, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                return;
            } catch (SQLException e) {
                if (attempt == DROP_ATTEMPTS) {
                    System.err.println("Could not drop schema " + schema + "; drop it by hand: " + e);
                    return;
                }
                try {
                    Thread.sleep(2_000);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    System.err.println("Interrupted; schema " + schema + " is left behind");
                    return;
                }
            }
        }
    }

    private static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    @Override
    public void close() {
        pool.dispose();
        drop.run();
    }
}
