package dev.taskbridge.engine.plugins;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.PayloadMigration;
import dev.taskbridge.plugin.TaskContext;
import dev.taskbridge.plugin.TaskForm;
import dev.taskbridge.plugin.TaskHandler;
import dev.taskbridge.plugin.TaskType;

/** Plugins for discovery tests, each named after the classpath shape it stands for. */
public final class TestPlugins {

    private TestPlugins() {
    }

    /**
     * Version {@code version} of {@link Echo} under another id, which runs tasks of the versions
     * {@code migrations} carries over: what tests of versions and their migrations decide about.
     */
    public static TaskType<String> versioned(String id, int version, Map<Integer, PayloadMigration> migrations) {
        return new Echo() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public int version() {
                return version;
            }

            @Override
            public Optional<PayloadMigration> migrationFrom(int olderVersion) {
                return Optional.ofNullable(migrations.get(olderVersion));
            }

            @Override
            public String toString() {
                return id + " v" + version;
            }
        };
    }

    /** A well-behaved plugin. */
    public static class Echo implements TaskType<String> {

        @Override
        public String id() {
            return "test.echo";
        }

        @Override
        public int version() {
            return 1;
        }

        @Override
        public String parse(Payload payload) {
            return payload.text();
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
                    return new ChunkOutcome(1, 0, payload);
                }

                @Override
                public String result(String payload, List<ChunkOutcome> outcomes) {
                    return "\"" + outcomes.get(0).data() + "\"";
                }
            };
        }
    }

    /** A second plugin that claims the same id as {@link Echo}. */
    public static class AnotherEcho extends Echo {
    }

    /** Another id, so two plugins load side by side. */
    public static class Upper extends Echo {
        @Override
        public String id() {
            return "test.upper";
        }
    }

    /** A plugin whose constructor fails, as one with a missing dependency would. */
    public static class Broken extends Echo {
        public Broken() {
            throw new IllegalStateException("missing configuration");
        }
    }

    /** A plugin with an id clients could not type in a URL. */
    public static class BadId extends Echo {
        @Override
        public String id() {
            return "Bad Id";
        }
    }

    /** A plugin written for a newer engine. */
    public static class FromTheFuture extends Echo {
        @Override
        public int apiVersion() {
            return TaskType.API_VERSION + 1;
        }
    }

    /** A plugin that asks its slots to run more tasks at once than a slot can. */
    public static class TooManyAtOnce extends Echo {
        @Override
        public int concurrentTasksPerSlot() {
            return TaskType.MAX_CONCURRENT_TASKS_PER_SLOT + 1;
        }
    }

    /** A plugin whose form offers a choice its default is not one of. */
    public static class BadForm extends Echo {
        @Override
        public TaskForm form() {
            return TaskForm.of("Echo", "", TaskForm.FileKind.JSON).withOptions(TaskForm.FormOption.choice("mode",
                    "Mode", "", "loud", new TaskForm.Choice("quiet", "quietly")));
        }
    }
}
