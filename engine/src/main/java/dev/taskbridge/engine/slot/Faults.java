package dev.taskbridge.engine.slot;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

import dev.taskbridge.engine.store.TaskStoreException;
import dev.taskbridge.plugin.TransientTaskException;

/** Tells failures that may pass on their own from those that will not. */
public final class Faults {

    private Faults() {
    }

    /**
     * SQL state classes that say the database, not the statement, is the problem: 08 connection
     * exception, 40 transaction rollback (deadlock, serialization failure), 53 insufficient
     * resources, 57 operator intervention (the server is shutting down or restarting).
     */
    private static final Set<String> TRANSIENT_SQL_STATE_CLASSES = Set.of("08", "40", "53", "57");

    /**
     * Whether trying again later may succeed: the plugin said so, the database timed out or lost
     * its connection, or the task store itself failed (a store write failing says nothing about
     * the task, only about the database). An {@link SQLException} without an SQL state comes
     * from a driver or a connection pool that could not reach the database (a database's own
     * refusals always carry a state), so it counts as transient too; a permanent one of those
     * still fails the task once the tries are used up.
     */
    public static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof TransientTaskException || t instanceof SQLTransientException
                    || t instanceof SQLRecoverableException || t instanceof TaskStoreException) {
                return true;
            }
            if (t instanceof SQLException sql && isTransientSqlState(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the database refused a statement for a reason that will not pass by itself: an
     * {@link SQLException} with an SQL state outside the transient classes (a constraint
     * violation, bad data, a missing table), among the causes or the exceptions suppressed along
     * the way. A transaction manager that reports a failed commit may keep the database's own
     * refusal as a suppressed exception rather than as a cause, so both are searched.
     */
    public static boolean isRefusedByDatabase(Throwable failure) {
        return isRefusedByDatabase(failure, Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    private static boolean isRefusedByDatabase(Throwable failure, Set<Throwable> seen) {
        if (failure == null || !seen.add(failure)) {
            return false;
        }
        if (failure instanceof SQLException sql && !(failure instanceof SQLTransientException)
                && !(failure instanceof SQLRecoverableException) && !isTransientSqlState(sql.getSQLState())) {
            return true;
        }
        for (Throwable suppressed : failure.getSuppressed()) {
            if (isRefusedByDatabase(suppressed, seen)) {
                return true;
            }
        }
        return isRefusedByDatabase(failure.getCause(), seen);
    }

    private static boolean isTransientSqlState(String state) {
        return state == null
                || state.startsWith("HYT") // HYT00, HYT01: timeouts
                || state.length() >= 2 && TRANSIENT_SQL_STATE_CLASSES.contains(state.substring(0, 2));
    }

    /** The stack trace as text, causes included. */
    public static String stackTrace(Throwable failure) {
        StringWriter out = new StringWriter();
        failure.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    /** Skips the wrappers that asynchronous completion adds. */
    public static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof java.util.concurrent.CompletionException
                || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
