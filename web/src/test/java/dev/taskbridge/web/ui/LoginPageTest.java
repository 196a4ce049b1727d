package dev.taskbridge.web.ui;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class LoginPageTest {

    @ParameterizedTest
    @CsvSource({"/submit.xhtml?type=ledger.post, /submit.xhtml?type=ledger.post", "/task.xhtml?id=42, /task.xhtml?id=42", "//evil.example/x, //evil.example/x"})
    void aPageOfThisApplicationIsWhereTheLoginGoesOn(String next, String expected) {
        // the context path comes first, so even //host stays on this server: /taskbridge//evil.example/x
        assertThat(LoginPage.safeNext(next)).isEqualTo(expected);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"https://evil.example/", "javascript:alert(1)", "/x\r\nSet-Cookie: a=b"})
    void anythingElseGoesToTheDashboard(String next) {
        assertThat(LoginPage.safeNext(next)).isEqualTo("/");
    }
}
