package dev.taskbridge.engine;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;

import javax.sql.DataSource;

/**
 * The database as the engine and the plugin see it under {@link LocalChunkTransactions}: on a
 * thread that runs a chunk's transaction, every connection is that transaction's, as a
 * JTA-enlisted connection of the server's datasource is; elsewhere a connection of its own,
 * committing as it likes.
 *
 * <p>Inside a chunk, closing the connection gives it back to the chunk, and committing, rolling
 * back or switching auto-commit on are refused, as the server refuses them on a connection of a
 * JTA transaction: a plugin that does them fails here as it would there.
 */
final class ChunkScopedDataSource implements DataSource {

    private final DataSource database;
    private final ThreadLocal<Connection> chunkTransaction = new ThreadLocal<>();

    ChunkScopedDataSource(DataSource database) {
        this.database = database;
    }

    /** Opens the chunk's transaction on this thread; the caller commits or rolls it back, then ends it. */
    Connection begin() throws SQLException {
        if (chunkTransaction.get() != null) {
            throw new IllegalStateException("a chunk's transaction is open on this thread already");
        }
        Connection connection = database.getConnection();
        connection.setAutoCommit(false);
        chunkTransaction.set(connection);
        return connection;
    }

    /** Ends the chunk's transaction on this thread, committed or rolled back by the caller. */
    void end(Connection connection) throws SQLException {
        chunkTransaction.remove();
        try {
            connection.setAutoCommit(true);
        } finally {
            connection.close();
        }
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection inChunk = chunkTransaction.get();
        return inChunk == null ? database.getConnection() : enlisted(inChunk);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return getConnection();
    }

    private static Connection enlisted(Connection connection) {
        InvocationHandler handler = (proxy, method, args) -> {
            switch (method.getName()) {
                case "close":
                    return null; // back to the chunk, which commits or rolls back all of it
                case "isClosed":
                    return false;
                case "commit", "rollback":
                    if (args == null || args.length == 0) {
                        throw new SQLException(method.getName() + " inside a chunk: the chunk's transaction commits or rolls"
                                + " back as a whole, with the engine's record of the chunk (in the server: a JTA transaction)");
                    }
                    break;
                case "setAutoCommit":
                    if ((Boolean) args[0]) {
                        throw new SQLException("auto-commit inside a chunk: the chunk's transaction commits as a whole");
                    }
                    return null;
                default:
                    break;
            }
            try {
                return method.invoke(connection, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Connection) Proxy.newProxyInstance(ChunkScopedDataSource.class.getClassLoader(),
                new Class<?>[]{Connection.class}, handler);
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return database.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        database.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        database.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return database.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        throw new SQLException("not a wrapper of " + type.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return type.isInstance(this);
    }
}
