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
 * store after a restart; never persisted. The next chunk to run is the one after the last
 * committed.
 *
 * @param generation the run generation read from the store
 * @param type       null when {@code finished}
 * @param payload    null when {@code finished}
 * @param startedAt  when this run started; null when {@code finished}
 * @param committed  outcomes of the chunks committed so far, in chunk order
 * @param traceParent the task's trace (its submission's span), or null when it is not traced
 */
public record PreparedTask(SlotId slot, String taskId, int generation, String owner, TaskType<Object> type,
                           Object payload, int chunkCount, Instant startedAt, boolean finished,
                           List<ChunkOutcome> committed, String traceParent) {

    public PreparedTask {
        committed = List.copyOf(committed);
    }

    /** A task that is not traced. */
    public PreparedTask(SlotId slot, String taskId, int generation, String owner, TaskType<Object> type,
                        Object payload, int chunkCount, Instant startedAt, boolean finished, List<ChunkOutcome> committed) {
        this(slot, taskId, generation, owner, type, payload, chunkCount, startedAt, finished, committed, null);
    }

    /** The task is final in the store already; the slot drops that generation of it. */
    public static PreparedTask alreadyFinished(SlotId slot, String taskId, int generation) {
        return new PreparedTask(slot, taskId, generation, null, null, null, 0, null, true, List.of());
    }

    /** The same task after its next chunk committed with {@code outcome}. */
    PreparedTask withChunk(ChunkOutcome outcome) {
        List<ChunkOutcome> more = new ArrayList<>(committed.size() + 1);
        more.addAll(committed);
        more.add(outcome);
        return new PreparedTask(slot, taskId, generation, owner, type, payload, chunkCount, startedAt, finished, more,
                traceParent);
    }

    /** Items done and failed by the committed chunks. */
    public TaskWork.Progress progress() {
        long done = 0;
        long failed = 0;
        for (ChunkOutcome chunk : committed) {
            done += chunk.itemsDone();
            failed += chunk.itemsFailed();
        }
        return new TaskWork.Progress(done, failed);
    }
}
