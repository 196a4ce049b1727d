package dev.taskbridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;

import dev.taskbridge.engine.TaskEngine;
import dev.taskbridge.gateway.InvalidSubmissionException;
import dev.taskbridge.gateway.OrderKey;
import org.junit.jupiter.api.Test;

/**
 * The gateway refuses, as a 400 naming {@code orderKey}, every key the engine would refuse, with
 * the engine's own rules; the gateway's API states the engine's longest key, compared here, where
 * both are seen.
 */
class OrderKeyRulesTest {

    @Test
    void theGatewayRefusesWhatTheEngineRefusesNamingTheField() {
        assertThat(OrderKey.MAX_LENGTH).isEqualTo(TaskEngine.MAX_ORDER_KEY_LENGTH);
        for (String key : new String[] {" ", "   ", " a", "a ", "\u00a0", "a\u00a0", "a\nb", "tab\there", "a\u2028b", "\u0000",
                "k".repeat(OrderKey.MAX_LENGTH + 1)}) {
            assertThat(TaskEngine.whyNotOrderKey(key)).as("the engine refuses [%s]", key).isNotNull();
            assertThatThrownBy(() -> TaskGatewayBean.checkOrderKey(key)).as("[%s]", key).isInstanceOf(InvalidSubmissionException.class)
                    .extracting(failure -> ((InvalidSubmissionException) failure).errors().get(0).field()).isEqualTo("orderKey");
        }
        for (String key : new String[] {"a", "account 1000", "a\u00a0b", "ü-σ-🙂", "k".repeat(OrderKey.MAX_LENGTH)}) {
            assertThat(TaskEngine.whyNotOrderKey(key)).as("the engine takes [%s]", key).isNull();
            assertThatCode(() -> TaskGatewayBean.checkOrderKey(key)).as("[%s]", key).doesNotThrowAnyException();
        }
    }

    @Test
    void theKeyIsTakenOutOfTheOptionsAndAnEmptyOneIsNone() {
        Map<String, String> options = new HashMap<>(Map.of("orderKey", "account-1000", "onErrors", "stop"));
        assertThat(OrderKey.take(options)).isEqualTo("account-1000");
        assertThat(options).as("the rest go to the task type").containsOnlyKeys("onErrors");
        assertThat(OrderKey.take(new HashMap<>(Map.of("orderKey", "")))).isNull();
        assertThat(OrderKey.take(new HashMap<>())).isNull();
        assertThat(OrderKey.given("")).isNull();
        assertThat(OrderKey.given(null)).isNull();
    }
}
