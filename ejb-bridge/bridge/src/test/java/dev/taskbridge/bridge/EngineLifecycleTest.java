package dev.taskbridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/** What an engine that could not start tells the operator, and how soon it tries again. */
class EngineLifecycleTest {

    @Test
    void aFailedStartIsTriedAgainSoonThenLessOftenButAtLeastEveryThirtySeconds() {
        assertThat(EngineLifecycle.pauseAfter(1)).isEqualTo(Duration.ofSeconds(2));
        assertThat(EngineLifecycle.pauseAfter(2)).isEqualTo(Duration.ofSeconds(4));
        assertThat(EngineLifecycle.pauseAfter(4)).isEqualTo(Duration.ofSeconds(16));
        assertThat(EngineLifecycle.pauseAfter(5)).isEqualTo(EngineLifecycle.LONGEST_START_PAUSE);
        assertThat(EngineLifecycle.pauseAfter(1_000)).isEqualTo(EngineLifecycle.LONGEST_START_PAUSE);
    }

    @Test
    void theReasonIsEveryCausesMessageOnceInOneLine() {
        SQLException refused = new SQLException("Connection to 127.0.0.1:5499 refused.\n Check that the host is right.");
        RuntimeException failure = new IllegalStateException("the journal could not be set up", refused);

        assertThat(EngineLifecycle.causes(failure))
                .isEqualTo("the journal could not be set up: Connection to 127.0.0.1:5499 refused. Check that the host is right.");
        assertThat(EngineLifecycle.causes(new IllegalStateException("x".repeat(1_000)))).hasSize(400).endsWith("...");
    }
}
