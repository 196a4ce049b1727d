package dev.taskbridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.taskbridge.engine.TaskEngine;
import dev.taskbridge.gateway.InvalidSubmissionException;
import dev.taskbridge.gateway.Priority;
import org.junit.jupiter.api.Test;

/**
 * The gateway checks a priority against the range the engine takes: the gateway's API depends on
 * nothing of the engine's, so the two constants are kept equal here, where both are seen.
 */
class PriorityRangeTest {

    @Test
    void theGatewayTakesTheEnginesRangeAndRefusesWhatIsOutsideItNamingTheField() {
        assertThat(Priority.LOWEST).isEqualTo(TaskEngine.LOWEST_PRIORITY);
        assertThat(Priority.HIGHEST).isEqualTo(TaskEngine.HIGHEST_PRIORITY);
        assertThat(Priority.check(Priority.HIGHEST)).isEqualTo(Priority.HIGHEST);
        assertThatThrownBy(() -> Priority.check(Priority.LOWEST - 1)).isInstanceOf(InvalidSubmissionException.class)
                .extracting(failure -> ((InvalidSubmissionException) failure).errors().get(0).field()).isEqualTo("priority");
    }
}
