package dev.taskbridge.engine.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import dev.taskbridge.plugin.InvalidPayloadException;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.PayloadMigration;
import dev.taskbridge.plugin.TaskType;
import org.junit.jupiter.api.Test;

class PayloadMigrationsTest {

    /** Version 3 of a type whose payload text gained a prefix per version: "a" at 1, "v2:a" at 2, "v3:v2:a" at 3. */
    private static TaskType<String> version3(Map<Integer, PayloadMigration> migrations) {
        return TestPlugins.versioned("test.versions", 3, migrations);
    }

    private static PayloadMigration prefix(String prefix) {
        return older -> new Payload(older.mediaType(), (prefix + older.text()).getBytes(StandardCharsets.UTF_8), older.options());
    }

    private static Payload text(String text) {
        return new Payload("text/plain", text.getBytes(StandardCharsets.UTF_8), Map.of("keep", "me"));
    }

    @Test
    void aTaskOfAnOlderVersionIsCarriedOverStepByStepInOrder() throws Exception {
        TaskType<String> type = version3(Map.of(1, prefix("v2:"), 2, prefix("v3:")));

        Payload upgraded = PayloadMigrations.upgrade(type, 1, text("a"));

        assertThat(upgraded.text()).isEqualTo("v3:v2:a");
        assertThat(upgraded.options()).as("a migration sees and keeps the options").containsEntry("keep", "me");
        assertThat(PayloadMigrations.upgrade(type, 2, text("v2:a")).text()).isEqualTo("v3:v2:a");
        assertThat(PayloadMigrations.upgrade(type, 3, text("x")).text()).as("its own version as it is").isEqualTo("x");
        assertThat(PayloadMigrations.canRun(type, 1)).isTrue();
    }

    @Test
    void aMissingStepAnywhereInTheChainMeansItCannotRunThatVersion() {
        TaskType<String> type = version3(Map.of(2, prefix("v3:")));

        assertThat(PayloadMigrations.canRun(type, 2)).isTrue();
        assertThat(PayloadMigrations.whyNot(type, 1)).hasValue(
                "version 3 of its plugin cannot run tasks of version 1: it has no migration from version 1");
        assertThatThrownBy(() -> PayloadMigrations.upgrade(type, 1, text("a"))).isInstanceOf(InvalidPayloadException.class)
                .hasMessageContaining("no migration from version 1");
    }

    @Test
    void aNewerVersionThanThePluginsIsNeverRun() {
        TaskType<String> type = version3(Map.of(1, prefix("v2:"), 2, prefix("v3:")));

        assertThat(PayloadMigrations.whyNot(type, 4)).hasValue("version 3 of its plugin cannot run tasks of the newer version 4");
    }

    @Test
    void aMigrationThatRefusesAPayloadSaysWhy() {
        PayloadMigration refusing = older -> {
            throw new InvalidPayloadException("currency", "no longer taken");
        };
        TaskType<String> type = version3(Map.of(1, refusing, 2, prefix("v3:")));

        assertThatThrownBy(() -> PayloadMigrations.upgrade(type, 1, text("a"))).isInstanceOf(InvalidPayloadException.class)
                .hasMessageContaining("currency");
    }
}
