package dev.taskbridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import org.junit.jupiter.api.Test;

/** {@code taskbridge.on-failure.<type>} as the bridge reads it (README, "Rolling back posted work"; design note 030). */
class FailurePolicySettingTest {

    @Test
    void aTypeKeepsItsFailedTasksUnlessItsSettingAsksForARollback() {
        assertThat(BridgeSettings.rollsBackOnFailure(Optional.empty(), "ledger.post")).isFalse();
        assertThat(BridgeSettings.rollsBackOnFailure(Optional.of("keep"), "ledger.post")).isFalse();
        assertThat(BridgeSettings.rollsBackOnFailure(Optional.of("roll-back"), "ledger.post")).isTrue();
        assertThat(BridgeSettings.rollsBackOnFailure(Optional.of(" roll-back "), "ledger.post")).isTrue();
    }

    /** A typo must not quietly keep failed tasks that an operator meant to be rolled back. */
    @Test
    void aValueTaskbridgeDoesNotKnowIsRefusedWithTheValuesItDoes() {
        for (String value : new String[] {"rollback", "Roll-Back", "true", ""}) {
            assertThatThrownBy(() -> BridgeSettings.rollsBackOnFailure(Optional.of(value), "ledger.post")).as(value)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("taskbridge.on-failure.ledger.post is '" + value.strip() + "': it may be 'keep' or 'roll-back'");
        }
    }
}
