package dev.taskbridge.web.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The production start check's rule; ProductionServerIT checks it against a real server's realm. */
class DefaultPasswordsTest {

    /** A properties realm as the demo server ships it, plus whatever a test adds. */
    private static DefaultPasswords.Realm realm(Map<String, String> passwords) {
        return (user, password) -> password.equals(passwords.get(user));
    }

    @Test
    void theDemoServersUsersAreAllFound() throws Exception {
        var demo = Map.of("clerk", "clerk", "clerk2", "clerk2", "supervisor", "supervisor", "admin", "admin");

        assertThat(DefaultPasswords.usersWithDefaultPassword(realm(demo)))
                .containsExactly("admin", "supervisor", "clerk", "clerk2");
    }

    @Test
    void aKnownNameWithAWellKnownPasswordIsFoundAndUsersWithTheirOwnPasswordsAreNot() throws Exception {
        var users = Map.of("admin", "changeit", "clerk", "Tr4m-Lines-Oak", "alice", "alice");

        assertThat(DefaultPasswords.usersWithDefaultPassword(realm(users))).containsExactly("admin");
    }

    @Test
    void aRealmWithNoDefaultsPassesAndEachUserIsAskedAtMostOncePerCandidate() throws Exception {
        List<String> asked = new ArrayList<>();
        DefaultPasswords.Realm none = (user, password) -> {
            asked.add(user + ":" + password);
            return false;
        };

        assertThat(DefaultPasswords.usersWithDefaultPassword(none)).isEmpty();
        assertThat(asked).doesNotHaveDuplicates().contains("admin:admin", "taskbridge:taskbridge", "clerk:password");
    }

    @Test
    void aRealmThatCannotAnswerIsNotTakenForSafe() {
        DefaultPasswords.Realm away = (user, password) -> {
            throw new IllegalStateException("LDAP is away");
        };

        assertThatThrownBy(() -> DefaultPasswords.usersWithDefaultPassword(away)).hasMessage("LDAP is away");
    }

    @Test
    void theRefusalNamesTheUsersAndHowToFixIt() {
        assertThat(DefaultPasswords.refusal("stage", List.of("admin", "clerk")))
                .contains("in the stage profile").contains("admin, clerk").contains("bin/add-user.sh");
    }
}
