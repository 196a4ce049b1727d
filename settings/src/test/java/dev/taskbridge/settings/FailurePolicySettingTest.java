package dev.taskbridge.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import org.junit.jupiter.api.Test;

/** {@code taskbridge.on-failure.<type>} as a server and a worker read it (README, "Rolling back posted work"; design note 030). */
class FailurePolicySettingTest {

    @Test
    void aTypeKeepsItsFailedTasksUnlessItsSettingAsksForARollback() {
        assertThat(TaskbridgeSettings.rollsBackOnFailure(Optional.empty(), "ledger.post")).isFalse();
        assertThat(TaskbridgeSettings.rollsBackOnFailure(Optional.of("keep"), "ledger.post")).isFalse();
        assertThat(TaskbridgeSettings.rollsBackOnFailure(Optional.of("roll-back"), "ledger.post")).isTrue();
        assertThat(TaskbridgeSettings.rollsBackOnFailure(Optional.of(" roll-back "), "ledger.post")).isTrue();
    }

    /** A typo must not quietly keep failed tasks that an operator meant to be rolled back. */
    @Test
    void aValueTaskbridgeDoesNotKnowIsRefusedWithTheValuesItDoes() {
        for (String value : new String[] {"rollback", "Roll-Back", "true", ""}) {
            assertThatThrownBy(() -> TaskbridgeSettings.rollsBackOnFailure(Optional.of(value), "ledger.post")).as(value)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("taskbridge.on-failure.ledger.post is '" + value.strip() + "': it may be 'keep' or 'roll-back'");
        }
    }
}
