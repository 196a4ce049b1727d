package dev.taskbridge.engine.slot;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.taskbridge.engine.routing.SlotId;
import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.TaskType;

/**
 * A task ready to run: its plugin, parsed payload and the outcomes of its committed chunks, read
 * from their effect markers. Held in memory by the slot while the task runs and rebuilt from the
 * store after a restart; never persisted.
 *
 * <p>{@code committed} grows as chunks commit; only the steps of this task touch it, one after
 * another, each started by the slot after the one before ended.
 *
 * @param generation the run generation read from the store
 * @param type       null when {@code finished}
 * @param payload    null when {@code finished}
 * @param startedAt  when the task first started (before any restart); null when {@code finished}
 * @param committed  outcomes of the chunks committed so far, in chunk order
 */
public record PreparedTask(SlotId slot, String taskId, int generation, String owner, TaskType<Object> type,
                           Object payload, int chunkCount, Instant startedAt, boolean finished,
                           List<ChunkOutcome> committed) {

    public PreparedTask {
        committed = new ArrayList<>(committed);
    }

    /** The task is final in the store already; the slot drops that generation of it. */
    public static PreparedTask alreadyFinished(SlotId slot, String taskId, int generation) {
        return new PreparedTask(slot, taskId, generation, null, null, null, 0, null, true, List.of());
    }
}
