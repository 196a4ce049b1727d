package dev.taskbridge.engine;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import java.util.regex.Pattern;

import javax.sql.DataSource;

/**
 * A DataSource that fails, on command, as a database that is away makes a pool fail: for a window
 * of time no connection is handed out and every statement and commit on a connection already open
 * throws {@link SQLTransientConnectionException} (SQL state 08001). The task store, the chunks'
 * transactions and Pekko's JDBC journal all take their connections from it, so an outage hits
 * all of them, as a real one does. Separately, the next few inserts into the journal's table can
 * be made to fail alone: a journal write that fails while the task store works.
 *
 * <p>A failure is raised before the statement or commit reaches the database, so what failed left
 * nothing behind, except for the one kind asked for by {@link #commitsApplyThenFail}: a commit that
 * the database applies and whose answer is lost, as when the connection drops at COMMIT. Rollbacks
 * and closes always go through.
 */
final class FaultyDataSource implements DataSource {

    private static final Pattern JOURNAL_INSERT = Pattern.compile("^\\s*insert\\s+into\\s+\"?event_journal\"?",
            Pattern.CASE_INSENSITIVE);
    private static final Set<String> STATEMENT_MAKERS = Set.of("prepareStatement", "createStatement", "prepareCall");
    private static final Set<String> EXECUTIONS = Set.of("execute", "executeQuery", "executeUpdate", "executeBatch",
            "executeLargeUpdate", "executeLargeBatch");

    /** A window of {@link System#nanoTime()} during which the database is away. */
    private record Window(long from, long until) {

        boolean covers(long now) {
            return now >= from && now < until;
        }
    }

    private static final Window NONE = new Window(0, 0);

    /** Something to do before a statement containing {@code sqlPart} is prepared. */
    private record Hook(String sqlPart, Runnable action) {
    }

    private final DataSource database;
    private final AtomicReference<Window> outage = new AtomicReference<>(NONE);
    private final AtomicInteger journalInsertsToFail = new AtomicInteger();
    private final AtomicReference<Hook> beforeStatement = new AtomicReference<>();
    /** The SQL part that marks a transaction whose commit is to apply and then fail, and how many more such commits. */
    private final AtomicReference<String> commitThenFailAfter = new AtomicReference<>();
    private final AtomicInteger commitsToFailAfterApplying = new AtomicInteger();
    /** How long the database is away after such a commit: zero when it stays. */
    private volatile Duration awayAfterLostCommit = Duration.ZERO;
    /** How long after its answer was lost such a commit applies: zero when it has applied by then. */
    private volatile Duration lostCommitAppliesAfter = Duration.ZERO;
    /** Failures raised so far, of either kind. */
    final AtomicInteger raised = new AtomicInteger();
    /** Every statement prepared through it, in order: how a test counts the reads and writes a path costs. */
    final List<String> prepared = new CopyOnWriteArrayList<>();

    FaultyDataSource(DataSource database) {
        this.database = database;
    }

    /** The database goes away {@code after} from now, for {@code lasting}. */
    void outage(Duration after, Duration lasting) {
        long from = System.nanoTime() + after.toNanos();
        outage.set(new Window(from, from + lasting.toNanos()));
    }

    /** The next {@code count} inserts into the journal fail. */
    void failJournalInserts(int count) {
        journalInsertsToFail.addAndGet(count);
    }

    /**
     * Runs {@code action} once, on the thread about to prepare the next statement that contains
     * {@code sqlPart}, before it is prepared: makes one interleaving of two threads certain.
     */
    void beforeStatement(String sqlPart, Runnable action) {
        beforeStatement.set(new Hook(sqlPart, action));
    }

    /**
     * The next {@code count} commits of transactions that prepared a statement containing {@code
     * sqlPart} are applied by the database, and then throw as a connection lost at that moment
     * does (SQL state 08006): the caller cannot tell that they committed. After each, the database
     * is away for {@code thenAway}.
     */
    void commitsApplyThenFail(String sqlPart, int count, Duration thenAway) {
        commitThenFailAfter.set(sqlPart);
        awayAfterLostCommit = thenAway;
        lostCommitAppliesAfter = Duration.ZERO;
        commitsToFailAfterApplying.set(count);
    }

    /**
     * As {@link #commitsApplyThenFail}, but the answer is lost while the commit is still under
     * way: it applies {@code lateBy} after the caller was told it failed (a slow fsync, a wait for
     * a standby), holding its row locks until then. The caller's connection is gone meanwhile: its
     * rollback and close do nothing.
     */
    void commitsApplyLateThenFail(String sqlPart, int count, Duration lateBy) {
        commitThenFailAfter.set(sqlPart);
        awayAfterLostCommit = Duration.ZERO;
        lostCommitAppliesAfter = lateBy;
        commitsToFailAfterApplying.set(count);
    }

    /** No outage now or to come, and no journal insert or commit left to fail. */
    void heal() {
        outage.set(NONE);
        journalInsertsToFail.set(0);
        commitsToFailAfterApplying.set(0);
    }

    /** How long until the outage set last is over; zero when it is. */
    Duration outageLeft() {
        return Duration.ofNanos(Math.max(0, outage.get().until() - System.nanoTime()));
    }

    private void checkAway() throws SQLException {
        if (outage.get().covers(System.nanoTime())) {
            raised.incrementAndGet();
            throw new SQLTransientConnectionException("the database is away (scripted)", "08001");
        }
    }

    private void checkJournalInsert(String sql) throws SQLException {
        if (sql != null && JOURNAL_INSERT.matcher(sql).find()
                && journalInsertsToFail.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            raised.incrementAndGet();
            throw new SQLTransientConnectionException("the journal's insert failed (scripted)", "08006");
        }
    }

    @Override
    public Connection getConnection() throws SQLException {
        checkAway();
        return connection(database.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        checkAway();
        return connection(database.getConnection(username, password));
    }

    private Connection connection(Connection real) {
        // whether the transaction under way prepared the statement that makes its commit apply and then fail
        AtomicBoolean marked = new AtomicBoolean();
        // the connection's commit was left to apply late: the caller has lost it
        AtomicBoolean detached = new AtomicBoolean();
        Faulty faulty = new Faulty(real, (method, args) -> {
                    String name = method.getName();
                    if (STATEMENT_MAKERS.contains(name) || name.equals("commit")) {
                        checkAway();
                    }
                    if (name.equals("commit") && marked.getAndSet(false)
                            && commitsToFailAfterApplying.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
                        Duration late = lostCommitAppliesAfter;
                        if (late.isZero()) {
                            real.commit();
                        } else {
                            detached.set(true);
                            Thread committer = new Thread(() -> {
                                try {
                                    Thread.sleep(late.toMillis());
                                    real.commit();
                                    real.close();
                                } catch (InterruptedException | SQLException e) {
                                    throw new IllegalStateException("the late commit failed", e);
                                }
                            }, "late-commit");
                            committer.setDaemon(true);
                            committer.start();
                        }
                        raised.incrementAndGet();
                        if (!awayAfterLostCommit.isZero()) {
                            outage(Duration.ZERO, awayAfterLostCommit);
                        }
                        throw new SQLRecoverableException("the connection was lost at COMMIT, after the database applied it (scripted)",
                                "08006");
                    }
                    if (name.equals("rollback")) {
                        marked.set(false);
                    }
                    if (STATEMENT_MAKERS.contains(name) && args != null && args.length > 0 && args[0] instanceof String sql) {
                        prepared.add(sql);
                        String part = commitThenFailAfter.get();
                        if (part != null && sql.contains(part)) {
                            marked.set(true);
                        }
                        Hook hook = beforeStatement.get();
                        if (hook != null && sql.contains(hook.sqlPart()) && beforeStatement.compareAndSet(hook, null)) {
                            hook.action().run();
                        }
                        checkJournalInsert(sql.toLowerCase(Locale.ROOT));
                    }
                });
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (!detached.get()) {
                        return faulty.invoke(proxy, method, args);
                    }
                    return switch (method.getName()) {
                        case "close", "rollback", "setAutoCommit" -> null;
                        case "isClosed" -> true;
                        default -> throw new SQLRecoverableException("the connection is lost (scripted)", "08006");
                    };
                });
    }

    /** What to check before a call goes through. */
    @FunctionalInterface
    private interface Check {
        void before(Method method, Object[] args) throws SQLException;
    }

    /** Passes calls through after its check; wraps the statements a connection makes, so their executions are checked too. */
    private final class Faulty implements InvocationHandler {

        private final Object real;
        private final Check check;

        Faulty(Object real, Check check) {
            this.real = real;
            this.check = check;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getName().equals("unwrap") || method.getName().equals("isWrapperFor")) {
                return invokeReal(method, args);
            }
            check.before(method, args);
            Object result = invokeReal(method, args);
            if (result instanceof Statement statement && STATEMENT_MAKERS.contains(method.getName())) {
                Class<?> kind = method.getReturnType();
                return Proxy.newProxyInstance(kind.getClassLoader(), new Class<?>[] {kind},
                        new Faulty(statement, (call, callArgs) -> {
                            if (EXECUTIONS.contains(call.getName())) {
                                checkAway();
                            }
                        }));
            }
            return result;
        }

        private Object invokeReal(Method method, Object[] args) throws Throwable {
            try {
                return method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
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
        return database.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return database.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return database.isWrapperFor(iface);
    }
}
