package dev.taskbridge.bench;

import java.util.List;

import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.TaskContext;
import dev.taskbridge.plugin.TaskHandler;
import dev.taskbridge.plugin.TaskType;

/**
 * A task type whose tasks have one chunk that does nothing: what is left to measure is the
 * engine's own cost of running a task durably (journal, task store, hand-offs between threads).
 */
final class NoOpTaskType implements TaskType<Payload> {

    static final String ID = "bench.noop";

    private final int slots;
    private final int atOncePerSlot;

    NoOpTaskType(int slots, int atOncePerSlot) {
        this.slots = slots;
        this.atOncePerSlot = atOncePerSlot;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int version() {
        return 1;
    }

    @Override
    public int slots() {
        return slots;
    }

    /** Its tasks share nothing, so they may overlap in a slot (design note 034). */
    @Override
    public int concurrentTasksPerSlot() {
        return atOncePerSlot;
    }

    @Override
    public Payload parse(Payload payload) {
        return payload;
    }

    @Override
    public TaskHandler<Payload> handler() {
        return new TaskHandler<>() {
            @Override
            public int chunkCount(Payload payload) {
                return 1;
            }

            @Override
            public ChunkOutcome runChunk(Payload payload, int chunk, TaskContext context) {
                return new ChunkOutcome(1, 0, "");
            }

            @Override
            public String result(Payload payload, List<ChunkOutcome> outcomes) {
                return "{}";
            }
        };
    }
}
