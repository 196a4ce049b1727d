package dev.taskbridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FailureTextTest {

    private static final String CLASS_NAME = "(?s).*\\b(?:[a-z][a-z0-9_]*\\.){2,}[A-Z].*|(?s).*[A-Z]\\w*Exception.*";

    @Test
    void aFailureReadsAsPlainWordsWithItsReferenceNeverItsException() {
        String message = FailureText.message("TB-7KQ2M9XD");

        assertThat(message).contains("TB-7KQ2M9XD").doesNotMatch(CLASS_NAME);
        assertThat(FailureText.message(null)).isNotBlank().doesNotMatch(CLASS_NAME);
    }

    @Test
    void aFailuresDetailInHistoryAndEventsKeepsTheReferenceAndDropsTheException() {
        String technical = "java.lang.IllegalStateException: dev.taskbridge.it.plugin.RowWritingTaskType split task 5f0c into 0 "
                + "chunks; at least 1 is needed (log reference TB-7KQ2M9XD)";

        assertThat(FailureText.detail(technical)).isEqualTo(FailureText.message("TB-7KQ2M9XD")).doesNotMatch(CLASS_NAME);
        assertThat(FailureText.detail("java.lang.NullPointerException")).isEqualTo(FailureText.message(null));
        assertThat(FailureText.detail(null)).isEqualTo(FailureText.message(null));
    }
}
