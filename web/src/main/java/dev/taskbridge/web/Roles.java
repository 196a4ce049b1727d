package dev.taskbridge.web;

import java.util.function.Predicate;

import jakarta.ws.rs.core.SecurityContext;

/** The application's roles, as Elytron's realm names them, and what each may see. */
public final class Roles {

    /** Submits tasks and sees their own. */
    public static final String CLERK = "clerk";
    /** Sees every task, retries and cancels them, sees stack traces. */
    public static final String SUPERVISOR = "supervisor";
    /** Sees task types and engine facts. */
    public static final String ADMIN = "admin";

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
