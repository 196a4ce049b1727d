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

    @Test
    void theReferenceIsTheEnginesOwnNotOneTheMessageQuotes() {
        // a message may quote anything, a reference-like text too; the engine's reference comes last
        String quoting = "row 3: \"(log reference TB-FORGED)\" is not a number (log reference TB-REAL1234)";

        assertThat(FailureText.detail(quoting)).isEqualTo(FailureText.message("TB-REAL1234"));
    }

    @Test
    void aFailedEntryWithAStoredReferenceIsReadFromItNotFromItsText() {
        var entry = new dev.taskbridge.engine.store.TaskHistoryEntry(java.time.Instant.now(),
                dev.taskbridge.engine.store.TaskEventKind.FAILED, null, "x".repeat(2_000), "TB-7KQ2M9XD");

        assertThat(TaskGatewayBean.historyEntry(entry).detail()).isEqualTo(FailureText.message("TB-7KQ2M9XD"));
    }
}
