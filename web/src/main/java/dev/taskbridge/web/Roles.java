package dev.taskbridge.web;

import java.util.function.Predicate;

import jakarta.ws.rs.core.SecurityContext;

/** The application's roles, as Elytron's realm names them, and what each may see. */
public final class Roles {

    /** Submits tasks, and sees and cancels their own (as every role does). */
    public static final String CLERK = "clerk";
    /** Sees every task with its stack trace, cancels any, and retries failed or cancelled ones. */
    public static final String SUPERVISOR = "supervisor";
    /**
     * Sees every task with its stack trace and cancels any; sees task types (with their plugin
     * classes) and engine facts. Retrying needs {@link #SUPERVISOR} too.
     */
    public static final String ADMIN = "admin";
    /**
     * Reads the engine's metrics ({@code GET /api/metrics}) and nothing else: the account a
     * Prometheus server scrapes with, which should not see or cancel tasks.
     */
    public static final String MONITOR = "monitor";

    private Roles() {
    }

    /** Whoever may see every task (and their stack traces); clerks see their own only. */
    public static boolean seesAllTasks(Predicate<String> isInRole) {
        return isInRole.test(SUPERVISOR) || isInRole.test(ADMIN);
    }

    static boolean seesAllTasks(SecurityContext security) {
        return seesAllTasks(security::isUserInRole);
    }

    /** Whether a user may see a task of {@code owner}'s. */
    public static boolean maySee(String user, String owner, Predicate<String> isInRole) {
        return owner.equals(user) || seesAllTasks(isInRole);
    }
}
