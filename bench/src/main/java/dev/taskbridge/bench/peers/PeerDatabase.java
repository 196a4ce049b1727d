package dev.taskbridge.bench.peers;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * Each peer's own database on the one PostgreSQL server, dropped and made again for every run so
 * that no run sees another's rows, indexes or bloat.
 */
final class PeerDatabase implements AutoCloseable {

    private final String url;
    private final String user;
    private final String password;
    private final HikariDataSource pool;

    private PeerDatabase(String url, String user, String password, HikariDataSource pool) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.pool = pool;
    }

    /**
     * Drops and creates {@code name} through {@code adminUrl} (any database of the same server),
     * owned by {@code user}, then opens a pool of {@code poolSize} connections on it as that user.
     * The bench's role may not create databases, so that is done as {@code bench.pg.admin-user}
     * (default {@code postgres}, password {@code bench.pg.admin-password}, none by default: the
     * local server trusts loopback); everything else runs as {@code user}.
     */
    static PeerDatabase recreate(String adminUrl, String name, String user, String password, int poolSize)
            throws SQLException {
        if (!name.matches("[a-z_][a-z0-9_]*") || !user.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("not a plain database or role name: " + name + ", " + user);
        }
        try (Connection admin = DriverManager.getConnection(adminUrl, System.getProperty("bench.pg.admin-user", "postgres"),
                System.getProperty("bench.pg.admin-password", ""));
             Statement statement = admin.createStatement()) {
            // FORCE: a run killed by its time limit may have left connections behind
            statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            statement.execute("CREATE DATABASE " + name + " OWNER " + user);
        }
        return open(adminUrl, name, user, password, poolSize);
    }

    /** A pool on {@code name} as it is (W3's second JVM: what the killed one left). */
    static PeerDatabase open(String adminUrl, String name, String user, String password, int poolSize) {
        String url = adminUrl.replaceFirst("/[^/?]+(\\?.*)?$", "/" + name) + "?reWriteBatchedInserts=true";
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        config.setPoolName("peers-" + name);
        return new PeerDatabase(url, user, password, new HikariDataSource(config));
    }

    /** Drops a run's database once its pool is closed; a failure is reported, not thrown: the next run drops it anyway. */
    static void drop(String adminUrl, String name) {
        try (Connection admin = DriverManager.getConnection(adminUrl, System.getProperty("bench.pg.admin-user", "postgres"),
                System.getProperty("bench.pg.admin-password", ""));
             Statement statement = admin.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) {
            System.err.println("could not drop database " + name + " (the next run drops it): " + e.getMessage());
        }
    }

    HikariDataSource dataSource() {
        return pool;
    }

    String url() {
        return url;
    }

    String user() {
        return user;
    }

    String password() {
        return password;
    }

    long count(String sql) throws SQLException {
        try (Connection connection = pool.getConnection();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** Server version and the settings that decide what a commit costs. */
    static String describeServer(String adminUrl, String user, String password) {
        try (Connection connection = DriverManager.getConnection(adminUrl, user, password);
             Statement statement = connection.createStatement()) {
            return one(statement, "SELECT version()") + "; synchronous_commit=" + one(statement, "SHOW synchronous_commit")
                    + ", fsync=" + one(statement, "SHOW fsync") + ", shared_buffers=" + one(statement, "SHOW shared_buffers")
                    + ", max_connections=" + one(statement, "SHOW max_connections");
        } catch (SQLException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static String one(Statement statement, String sql) throws SQLException {
        try (ResultSet rows = statement.executeQuery(sql)) {
            return rows.next() ? rows.getString(1) : "?";
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
