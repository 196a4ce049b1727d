package dev.taskbridge.deploy.plugins;

import java.util.List;
import java.util.Optional;

import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.PayloadMigration;
import dev.taskbridge.plugin.TaskContext;
import dev.taskbridge.plugin.TaskHandler;
import dev.taskbridge.plugin.TaskType;

/** For the EARs {@code EarPluginsTest} packs: version 2 of {@code test.two}, which migrates tasks of version 1. */
public class VersionTwo implements TaskType<String> {

    @Override
    public String id() {
        return "test.two";
    }

    @Override
    public int version() {
        return 2;
    }

    @Override
    public String parse(Payload payload) {
        return payload.text();
    }

    @Override
    public Optional<PayloadMigration> migrationFrom(int olderVersion) {
        return olderVersion == 1 ? Optional.of(older -> older) : Optional.empty();
    }

    @Override
    public TaskHandler<String> handler() {
        return new TaskHandler<>() {
            @Override
            public int chunkCount(String payload) {
                return 1;
            }

            @Override
            public ChunkOutcome runChunk(String payload, int chunk, TaskContext context) {
                return new ChunkOutcome(1, 0, "");
            }

            @Override
            public String result(String payload, List<ChunkOutcome> outcomes) {
                return "{}";
            }
        };
    }

    /** The same id again: an EAR with both cannot start its engine. */
    public static class SameId extends VersionTwo {
    }

    /** An id the engine refuses: skipped at start, with why. */
    public static class BadId extends VersionTwo {
        @Override
        public String id() {
            return "Bad Id";
        }
    }
}
