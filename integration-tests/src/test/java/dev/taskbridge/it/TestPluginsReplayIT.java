package dev.taskbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import dev.taskbridge.it.plugin.RowWritingTaskType;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.testkit.Effects;
import dev.taskbridge.testkit.PluginTestKit;
import dev.taskbridge.testkit.TaskOutcome;
import org.junit.jupiter.api.Test;

/**
 * The test plugin that the crash tests deploy into the server, run through the plugin test kit
 * first: in a plain JVM, its rows exactly once whichever chunk a crash interrupts. If this fails,
 * a crash test's duplicate would be the plugin's, not the engine's. No server.
 */
class TestPluginsReplayIT {

    @Test
    void itRowsWritesItsRowsExactlyOnceWhicheverChunkACrashInterrupts() throws Exception {
        PluginTestKit.Builder kit = PluginTestKit.of(RowWritingTaskType::new)
                // the plugin creates its table once per deployment; each of the kit's databases is new
                .schema("CREATE TABLE it_rows (task_id VARCHAR(36) NOT NULL, chunk INT NOT NULL, row_no INT NOT NULL)");

        TaskOutcome clean = kit.replayCheck(RowWritingTaskType.ID,
                new Payload("text/plain", "chunks=3,rows=5,sleepMillis=0".getBytes(StandardCharsets.UTF_8)),
                Effects.rows("SELECT chunk, row_no FROM it_rows WHERE task_id = ? ORDER BY chunk, row_no"));

        assertThat(clean.result()).isEqualTo("{\"rows\":15}");
        TaskOutcome rollback = kit.rollbackCheck(RowWritingTaskType.ID,
                new Payload("text/plain", "chunks=3,rows=5,sleepMillis=0".getBytes(StandardCharsets.UTF_8)),
                Effects.rows("SELECT chunk, row_no FROM it_rows WHERE task_id = ? ORDER BY chunk, row_no"));
        assertThat(rollback.result()).contains("\"itemsUndone\":15");
    }
}
