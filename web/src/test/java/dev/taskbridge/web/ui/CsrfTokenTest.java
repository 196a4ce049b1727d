package dev.taskbridge.web.ui;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CsrfTokenTest {

    @Test
    void onlyTheSessionsOwnTokenMatches() {
        assertThat(CsrfToken.matches("abc", "abc")).isTrue();
        assertThat(CsrfToken.matches("abc", "abd")).isFalse();
        assertThat(CsrfToken.matches("abc", null)).isFalse();
        assertThat(CsrfToken.matches(null, "abc")).as("no session, no token").isFalse();
        assertThat(CsrfToken.matches(42, "42")).isFalse();
    }
}
