package dev.taskbridge.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.InvalidPayloadException;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.PayloadMigration;
import dev.taskbridge.plugin.TaskContext;
import dev.taskbridge.plugin.TaskHandler;
import dev.taskbridge.plugin.TaskType;
import org.junit.jupiter.api.Test;

/** {@link PluginTestKit#migrated}: how a plugin's test checks its migrations, as the engine applies them. */
class MigratedTest {

    /** Version 2 takes the number of rows as the option {@code rows}; version 1 took it as the body. */
    private static final TaskType<Integer> VERSION_2 = new TaskType<>() {
        @Override
        public String id() {
            return "test.rows";
        }

        @Override
        public int version() {
            return 2;
        }

        @Override
        public Integer parse(Payload payload) throws InvalidPayloadException {
            String rows = payload.options().get("rows");
            if (rows == null) {
                throw new InvalidPayloadException("rows", "is required");
            }
            return Integer.valueOf(rows);
        }

        @Override
        public Optional<PayloadMigration> migrationFrom(int olderVersion) {
            return olderVersion != 1 ? Optional.empty()
                    : Optional.of(older -> {
                        Map<String, String> options = new java.util.HashMap<>(older.options());
                        options.put("rows", older.text().strip());
                        return new Payload(older.mediaType(), new byte[0], options);
                    });
        }

        @Override
        public TaskHandler<Integer> handler() {
            return new TaskHandler<>() {
                @Override
                public int chunkCount(Integer rows) {
                    return 1;
                }

                @Override
                public ChunkOutcome runChunk(Integer rows, int chunk, TaskContext context) {
                    return new ChunkOutcome(rows, 0, "");
                }

                @Override
                public String result(Integer rows, List<ChunkOutcome> outcomes) {
                    return "{}";
                }
            };
        }
    };

    @Test
    void aPayloadOfVersion1IsWhatVersion2ParsesAfterItsMigration() throws Exception {
        Payload version1 = new Payload("text/plain", "42\n".getBytes(StandardCharsets.UTF_8));

        assertThat(PluginTestKit.migrated(VERSION_2, 1, version1)).isEqualTo(42);
        assertThatThrownBy(() -> VERSION_2.parse(version1)).as("without the migration").isInstanceOf(InvalidPayloadException.class);
    }

    @Test
    void aVersionItCannotRunIsRefusedWithWhy() {
        Payload payload = new Payload("text/plain", new byte[0], Map.of("rows", "1"));

        assertThatThrownBy(() -> PluginTestKit.migrated(VERSION_2, 3, payload)).isInstanceOf(InvalidPayloadException.class)
                .hasMessageContaining("newer version 3");
    }
}
