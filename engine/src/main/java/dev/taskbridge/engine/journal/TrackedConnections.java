package dev.taskbridge.engine.journal;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

import javax.sql.DataSource;

/**
 * The host's DataSource as the journal sees it: every connection it hands out is known until it
 * is closed, so that the ones the journal still holds when the actor system is gone can be rolled
 * back and given back ({@link #closeLeftovers()}).
 *
 * <p>Slick's executor stops with the actor system, and a statement it was running then (a journal
 * delete after a snapshot, say) can leave its connection checked out and idle inside an open
 * transaction, holding its row locks: in a container, until the server restarts, and the next
 * deployment's slot then waits on them. A test caught it as a {@code DROP SCHEMA} that waited
 * forever on an "idle in transaction" journal connection of an engine already closed.
 */
final class TrackedConnections implements DataSource {

    private final DataSource host;
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();

    TrackedConnections(DataSource host) {
        this.host = host;
    }

    /**
     * Rolls back and closes every connection not closed yet; called once the journal can no longer
     * use any. Each is closed even when its rollback fails.
     *
     * @return how many there were
     */
    int closeLeftovers() {
        int closed = 0;
        for (Connection connection : open) {
            open.remove(connection);
            closed++;
            try {
                if (!connection.isClosed() && !connection.getAutoCommit()) {
                    connection.rollback();
                }
            } catch (SQLException | RuntimeException e) {
                // closed below all the same; a pool resets what it gets back
            } finally {
                try {
                    connection.close();
                } catch (SQLException | RuntimeException e) {
                    // nothing more to do for it
                }
            }
        }
        return closed;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return tracked(host.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return tracked(host.getConnection(username, password));
    }

    private Connection tracked(Connection connection) {
        open.add(connection);
        return (Connection) Proxy.newProxyInstance(TrackedConnections.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    if (method.getName().equals("close") && method.getParameterCount() == 0) {
                        open.remove(connection);
                    }
                    try {
                        return method.invoke(connection, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return host.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        host.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        host.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return host.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return host.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return type.isInstance(this) ? type.cast(this) : host.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(this) || host.isWrapperFor(type);
    }
}
