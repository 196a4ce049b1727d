package dev.taskbridge.web.security;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The refusal to run with default passwords outside the {@code dev} profile
 * (docs/design/012-production-server.md, 029-profiles.md). The demo server's users log in with their
 * names as passwords, and the README prints them; a stage or production server must not start while
 * any of them, or the usual administrator names, logs in with such a password.
 *
 * <p>A security realm cannot list its users in general (LDAP, a database), so the check tries the
 * names a default installation has, each with its own name and a short list of the passwords
 * every default-password scanner tries first. It asks the realm, so it holds whichever realm the
 * server uses.
 */
public final class DefaultPasswords {

    /** The demo server's users and the administrator names installations are created with. */
    static final List<String> NAMES = List.of("admin", "administrator", "root", "supervisor", "clerk", "clerk2",
            "taskbridge", "operator");
    /** Tried for every name, beside the name itself. */
    static final List<String> PASSWORDS = List.of("password", "admin", "changeit", "changeme", "secret", "taskbridge",
            "123456");

    /** Whether a user logs in with a password; an answer from the server's security realm. */
    @FunctionalInterface
    public interface Realm {
        boolean accepts(String user, String password) throws Exception;
    }

    private DefaultPasswords() {
    }

    /**
     * The users that log in with a default password, in the order of {@link #NAMES}.
     *
     * @throws Exception when the realm cannot answer: then nothing is known to be safe
     */
    public static List<String> usersWithDefaultPassword(Realm realm) throws Exception {
        List<String> found = new ArrayList<>();
        for (String user : NAMES) {
            Set<String> candidates = new LinkedHashSet<>();
            candidates.add(user);
            candidates.addAll(PASSWORDS);
            for (String password : candidates) {
                if (realm.accepts(user, password)) {
                    found.add(user);
                    break;
                }
            }
        }
        return List.copyOf(found);
    }

    /** What the server logs, and fails its deployment with, when {@code users} is not empty. */
    public static String refusal(String profile, List<String> users) {
        return "Taskbridge does not start in the " + profile + " profile while these users log in with a default password"
                + " (their name, or one such as \"password\"): " + String.join(", ", users)
                + ". Give each a password of its own (bin/add-user.sh -a -u <name>) or remove it, then start again.";
    }
}
