package dev.taskbridge.engine;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.List;
import java.util.logging.Logger;

import javax.sql.DataSource;

import dev.taskbridge.plugin.ChunkOutcome;

/**
 * Chunk transactions as the EJB bridge runs them ({@code ChunkTransactionsBean}: a new JTA
 * transaction per chunk or group of chunks, rolled back on any failure), on one local JDBC transaction: the plugin's
 * work, the effect marker and the task's progress share the connection, which the plugin finds in
 * {@link #current()}, and commit together or not at all. With it a plain JVM test can count a
 * chunk's effects in the database and see whether one ever committed twice, which
 * {@link MarkerAfterWork} (effects at least once) cannot promise.
 */
final class OneTransactionPerChunk implements ChunkTransactions {

    private static final ThreadLocal<Connection> CURRENT = new ThreadLocal<>();

    private final DataSource dataSource;

    OneTransactionPerChunk(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The connection of the chunk transaction this thread runs, for the plugin's own writes. */
    static Connection current() {
        Connection connection = CURRENT.get();
        if (connection == null) {
            throw new IllegalStateException("no chunk transaction on this thread");
        }
        return connection;
    }

    @Override
    public List<ChunkOutcome> runAllOnce(List<? extends Chunk> chunks) throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            CURRENT.set(connection);
            try {
                List<ChunkOutcome> outcomes = ChunkTransactions.runAll(new Enlisted(connection), chunks);
                connection.commit();
                return outcomes;
            } catch (Exception | Error e) {
                try {
                    connection.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            } finally {
                CURRENT.remove();
            }
        }
    }

    /** Hands out the transaction's connection, as a JTA datasource hands out the one enlisted; closing it leaves it open. */
    private record Enlisted(Connection connection) implements DataSource {

        @Override
        public Connection getConnection() {
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("close")) {
                            return null;
                        }
                        try {
                            return method.invoke(connection, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        @Override
        public Connection getConnection(String username, String password) {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
