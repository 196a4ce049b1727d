package dev.taskbridge.bench.peers;

import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.InvalidPayloadException;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.TaskContext;
import dev.taskbridge.plugin.TaskHandler;
import dev.taskbridge.plugin.TaskType;

/**
 * Taskbridge's benchmark task: one chunk whose only work is to tell the harness it ran, as every
 * peer's body does. The payload is the task reference as plain text in a JSON string, so that
 * parsing costs next to nothing and no JSON library stands between the peers.
 */
final class RecordingTaskType implements TaskType<TaskRef> {

    static final String ID = "bench.peers.noop";

    private final int slots;
    private final int atOncePerSlot;

    RecordingTaskType(int slots, int atOncePerSlot) {
        this.slots = slots;
        this.atOncePerSlot = atOncePerSlot;
    }

    static Payload payload(TaskRef task) {
        return Payload.json("\"" + task.encode() + "\"");
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

    /** Its tasks share nothing but their key's order, which the slot keeps whatever this is (design note 034). */
    @Override
    public int concurrentTasksPerSlot() {
        return atOncePerSlot;
    }

    @Override
    public TaskRef parse(Payload payload) throws InvalidPayloadException {
        String text = new String(payload.body(), StandardCharsets.UTF_8).strip();
        if (text.length() < 2 || text.charAt(0) != '"' || text.charAt(text.length() - 1) != '"') {
            throw new InvalidPayloadException("body", "expected a quoted task reference, got " + text);
        }
        try {
            return TaskRef.decode(text.substring(1, text.length() - 1));
        } catch (IllegalArgumentException e) {
            throw new InvalidPayloadException("body", e.getMessage());
        }
    }

    @Override
    public TaskHandler<TaskRef> handler() {
        return new TaskHandler<>() {
            @Override
            public int chunkCount(TaskRef task) {
                return 1;
            }

            @Override
            public ChunkOutcome runChunk(TaskRef task, int chunk, TaskContext context) {
                Round.ran(task);
                return new ChunkOutcome(1, 0, "");
            }

            @Override
            public String result(TaskRef task, List<ChunkOutcome> outcomes) {
                return "{}";
            }
        };
    }
}
